"""PyTorch baselines of Kiln's GPU train steps (bench/gpu.sh), on CUDA:
`mlp` is examples/fashion_mlp.kiln's step (MLP 784-256-256-10, Adam 1e-3,
batch 64), `induction` is examples/induction_heads.kiln's (the model of
bench/pytorch_induction_heads.py, batch 32). Each runs in eager mode and
under torch.compile (default mode). As in the Kiln programs, every step
takes a different batch, copied from (pinned) host memory to the GPU.

Usage: pytorch_gpu_steps.py [MODEL...]   Prints, per model and mode,
`model=<m> mode=<eager|compile> step_us=<microseconds per step> loss=<l>`."""
import os
import sys
import time

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pytorch_induction_heads as induction  # noqa: E402


def mlp_setup(steps):
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256),
                          nn.ReLU(), nn.Linear(256, 10))
    g = torch.Generator().manual_seed(0)
    xs = torch.rand(steps, 64, 784, generator=g).pin_memory()
    ys = torch.randint(0, 10, (steps, 64), generator=g).pin_memory()
    return model, list(zip(xs, ys)), lambda out, y: nn.functional.cross_entropy(out, y)


def induction_setup(steps):
    model = induction.InductionNet()
    data = [(x.pin_memory(), y.pin_memory())
            for x, y in induction.batches(steps, 0)]
    return model, data, lambda out, y: nn.functional.cross_entropy(
        out.reshape(-1, induction.VOCAB), y.reshape(-1))


def time_steps(setup, compiled, warmup=30, steps=300):
    torch.manual_seed(0)
    model, data, loss_fn = setup(warmup + steps)
    model = model.cuda()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step(x, y):
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    if compiled:
        step = torch.compile(step)
    loss = None
    for i, (x, y) in enumerate(data):
        if i == warmup:
            torch.cuda.synchronize()
            start = time.perf_counter()
        loss = step(x.cuda(non_blocking=True), y.cuda(non_blocking=True))
    torch.cuda.synchronize()
    return (time.perf_counter() - start) / steps * 1e6, loss.item()


if __name__ == "__main__":
    setups = {"mlp": mlp_setup, "induction": induction_setup}
    for name in sys.argv[1:] or list(setups):
        for mode in ("eager", "compile"):
            us, loss = time_steps(setups[name], mode == "compile")
            print(f"model={name} mode={mode} step_us={us:.1f} loss={loss:.4f}",
                  flush=True)
