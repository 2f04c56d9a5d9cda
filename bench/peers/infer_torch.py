"""Inference in PyTorch beside simdnn's BenchmarkPredict: the forward pass
of nn.Sequential(Linear(784, h), ReLU, Linear(h, 10)) under
torch.no_grad() on 1 row and on 10000 rows, float32 rows of
MNIST-shaped pixels (four in five 0, the rest random bytes, over 255),
xavier_uniform_ weights and zero biases.

Each case is warmed up, then timed in rounds of about 0.2 s of calls
(ROUNDS of them, default 5); the figure is the median round's time per
call. The logits are not turned into classes: simdnn's Predict does
that too, which its figure includes.

Usage: infer_torch.py THREADS [HIDDEN ...] (default 15 256). Prints one
JSON line per network and row count.
"""

import json
import os
import statistics
import sys
import time

import numpy as np
import torch

import mnist_idx


def rows_like_mnist(n, seed):
    r = np.random.default_rng(seed)
    px = r.integers(0, 256, size=(n, 784), dtype=np.uint8)
    px[r.random((n, 784)) >= 0.2] = 0
    return torch.from_numpy(px.astype(np.float32) / np.float32(255))


def per_call(f, rounds):
    """Median seconds per call of f over rounds of about 0.2 s."""
    f()
    start, calls = time.perf_counter(), 0
    while time.perf_counter() - start < 0.1:  # warm-up, and the calls a round needs
        f()
        calls += 1
    per_round = max(1, int(calls * 2))
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(per_round):
            f()
        times.append((time.perf_counter() - t0) / per_round)
    return statistics.median(times)


def main():
    threads = int(sys.argv[1])
    hidden = [int(h) for h in sys.argv[2:]] or [15, 256]
    rounds = int(os.environ.get("ROUNDS", "5"))
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x = rows_like_mnist(10000, 2)
    for h in hidden:
        model = torch.nn.Sequential(torch.nn.Linear(784, h), torch.nn.ReLU(), torch.nn.Linear(h, 10))
        for layer in (model[0], model[2]):
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)
        model.eval()
        for rows in (1, 10000):
            xr = x[:rows].contiguous()

            def forward():
                with torch.no_grad():
                    return model(xr)

            s = per_call(forward, rounds)
            print(json.dumps({"peer": "torch", "network": f"784-{h}-10", "rows": rows, "threads": threads,
                              "us_per_call": s * 1e6, "rows_per_second": rows / s,
                              "config": f"torch {torch.__version__}, {mnist_idx.openblas_core()}, "
                                        f"{torch.get_num_threads()} threads, no_grad forward"}), flush=True)


if __name__ == "__main__":
    main()
