"""PyTorch baseline of the train step of examples/induction_heads.kiln,
written as a PyTorch user would write it for the CPU: tokens embedded (64 x
64) plus learned positions, two residual multi-head causal self-attention
layers (4 heads of 16, separate q/k/v/o weights without biases, softmax of
q k^T / 4 with -inf above the diagonal), an unembedding, mean cross-entropy
over every position, Adam lr 1e-3, batch 32 of 64-token sequences whose
second half repeats the first.

Usage: pytorch_induction_heads.py THREADS...   For each thread count, times
`steps` train steps after `warmup` and prints
`threads=<n> step_us=<microseconds per step> loss=<last loss>`."""
import sys
import time

import numpy as np
import torch
from torch import nn

VOCAB, CONTEXT, WIDTH, HEADS, BATCH = 64, 64, 64, 4, 32


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (
            nn.Linear(WIDTH, WIDTH, bias=False) for _ in range(4))
        self.register_buffer("mask", torch.triu(
            torch.full((CONTEXT, CONTEXT), float("-inf")), diagonal=1))

    def split(self, x):
        return x.view(x.shape[0], CONTEXT, HEADS, WIDTH // HEADS).transpose(1, 2)

    def forward(self, x):
        q, k, v = self.split(self.q(x)), self.split(self.k(x)), self.split(self.v(x))
        scores = q @ k.transpose(-1, -2) * (WIDTH // HEADS) ** -0.5 + self.mask
        mixed = torch.softmax(scores, dim=-1) @ v
        return self.o(mixed.transpose(1, 2).reshape(x.shape[0], CONTEXT, WIDTH))


class InductionNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Parameter(torch.randn(VOCAB, WIDTH) * 0.02)
        self.position = nn.Parameter(torch.randn(CONTEXT, WIDTH) * 0.02)
        self.attn1, self.attn2 = Attention(), Attention()
        self.unembed = nn.Parameter(torch.randn(WIDTH, VOCAB) * 0.02)

    def forward(self, tokens):
        x = self.embed[tokens] + self.position
        h = x + self.attn1(x)
        return (h + self.attn2(h)) @ self.unembed


def batches(count, seed):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        half = rng.integers(0, VOCAB, size=(BATCH, CONTEXT // 2))
        seq = np.concatenate([half, half, half[:, :1]], axis=1)
        yield (torch.from_numpy(seq[:, :-1].astype(np.int64)),
               torch.from_numpy(seq[:, 1:].astype(np.int64)))


def time_steps(threads, warmup=20, steps=200):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = InductionNet()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    data = list(batches(warmup + steps, 0))
    loss = None
    for i, (x, y) in enumerate(data):
        if i == warmup:
            start = time.perf_counter()
        loss = nn.functional.cross_entropy(net(x).reshape(-1, VOCAB), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    elapsed = time.perf_counter() - start
    return elapsed / steps * 1e6, loss.item()


if __name__ == "__main__":
    for threads in map(int, sys.argv[1:] or ["1"]):
        step_us, loss = time_steps(threads)
        print(f"threads={threads} step_us={step_us:.1f} loss={loss:.4f}", flush=True)
