"""PyTorch baseline of examples/fashion_mlp.kiln, written as a PyTorch user
would write it for the CPU: Fashion-MNIST (IDX files read with numpy, raw or
gzipped), x = pixels / 255 as float32 [N, 784], MLP 784-256-ReLU-256-ReLU-10
with Glorot-uniform weights and zero biases, Adam lr 1e-3 (PyTorch defaults
otherwise), batch 64, full batches only (60000 / 64 = 937 per epoch), each
epoch shuffled by a generator seeded with seed + epoch, mean cross-entropy,
and the test-set accuracy after every epoch.

The time covers the training loop and the evaluations, not the imports nor
the data loading. The last line is `time_s=<seconds> accuracy=<final>` for
bench/fashion_mlp.sh to parse."""
import argparse
import gzip
import os
import time

import numpy as np
import torch
from torch import nn

DATA_DIR = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """Reads an IDX file (raw, or gzipped as PATH.gz) into a numpy array."""
    for candidate, opener in ((path, open), (path + ".gz", gzip.open)):
        if os.path.exists(candidate):
            with opener(candidate, "rb") as f:
                data = f.read()
            break
    else:
        raise FileNotFoundError(f"{path} (nor {path}.gz)")
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:  # 0x08: unsigned bytes
        raise ValueError(f"{path}: not an unsigned-byte IDX file")
    ndim = magic & 0xFF
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
             for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load(data_dir, split):
    prefix = "train" if split == "train" else "t10k"
    images = read_idx(os.path.join(data_dir, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(os.path.join(data_dir, f"{prefix}-labels-idx1-ubyte"))
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255.0)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def make_model():
    model = nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 256), nn.ReLU(),
        nn.Linear(256, 10))
    for layer in model:
        if isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", default=DATA_DIR)
    parser.add_argument("--flush-denormal", action="store_true",
                        help="flush denormals to zero, as Kiln's runtime does")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    # Off by default in PyTorch; Adam's second moments decay into the
    # denormal range, where it slows the update down.
    torch.set_flush_denormal(args.flush_denormal)
    torch.manual_seed(args.seed)
    train_x, train_y = load(args.data_dir, "train")
    test_x, test_y = load(args.data_dir, "test")

    model = make_model()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()
    n = len(train_x)
    batches = n // args.batch  # full batches only
    accuracies = []

    start = time.perf_counter()
    for epoch in range(args.epochs):
        model.train()
        gen = torch.Generator().manual_seed(args.seed + epoch)
        perm = torch.randperm(n, generator=gen)[:batches * args.batch]
        for idx in perm.view(batches, args.batch):
            xb = train_x.index_select(0, idx)
            yb = train_y.index_select(0, idx)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            pred = model(test_x).argmax(dim=1)
            acc = (pred == test_y).float().mean().item()
        accuracies.append(acc)
        print(f"epoch={epoch} loss={loss.item():.4f} test/accuracy={acc:.4f}",
              flush=True)
    elapsed = time.perf_counter() - start

    print(f"threads={args.threads} epochs={args.epochs} batches/epoch={batches} "
          f"accuracies={','.join(f'{a:.4f}' for a in accuracies)}")
    print(f"time_s={elapsed:.3f} accuracy={accuracies[-1]:.4f}")


if __name__ == "__main__":
    main()
