"""PyTorch eager baseline of bench/mlp_train_step.cpp: the MLP 784-256-256-10
at batch 64, softmax cross-entropy, Adam 1e-3, one step = zero_grad, forward,
backward, step. Prints the median microseconds per step for each thread count
given on the command line, e.g. `python3 pytorch_mlp.py 1 2`."""
import statistics
import sys
import time

import torch


def median_step_us(threads, steps=300, warmup=30):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(64, 784)
    y = torch.arange(64) % 10
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


if __name__ == "__main__":
    for threads in (int(t) for t in sys.argv[1:] or ["1", "2"]):
        print(f"torch_threads={threads} torch_us={median_step_us(threads):.1f}")
