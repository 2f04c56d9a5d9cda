"""The tutorial job in numpy: 784-h-10 MLP, ReLU, softmax cross-entropy,
plain SGD (lr 0.2, batch 1024, mean loss), Glorot-uniform weights, zero
biases, a fresh shuffle every epoch, the last short batch included.

Usage: numpy_peer.py DATA_DIR HIDDEN EPOCHS THREADS. Threads go to
OpenBLAS through OPENBLAS_NUM_THREADS, which must be set before numpy
loads: run.sh sets it. Prints one JSON line.
"""

import json
import sys
import time

import numpy as np

import mnist_idx


def main():
    data, hidden, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    xtr, ytr, xte, yte = mnist_idx.load(data)
    rng = np.random.default_rng(1)
    f32 = np.float32

    def glorot(fan_in, fan_out):
        limit = np.sqrt(6 / (fan_in + fan_out))
        return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(f32)

    w1, b1 = glorot(784, hidden), np.zeros(hidden, f32)
    w2, b2 = glorot(hidden, 10), np.zeros(10, f32)
    lr, batch = f32(0.2), 1024
    n = xtr.shape[0]
    # Buffers reused by every full batch; the short last batch slices them.
    xb = np.empty((batch, 784), f32)
    z1 = np.empty((batch, hidden), f32)
    z2 = np.empty((batch, 10), f32)
    d1 = np.empty((batch, hidden), f32)
    dw1, dw2 = np.empty_like(w1), np.empty_like(w2)

    start = time.perf_counter()
    for _ in range(epochs):
        perm = rng.permutation(n)
        for lo in range(0, n, batch):
            idx = perm[lo:lo + batch]
            m = idx.size
            x, h, o, d = xb[:m], z1[:m], z2[:m], d1[:m]
            np.take(xtr, idx, axis=0, out=x)
            y = ytr[idx]
            np.matmul(x, w1, out=h)
            h += b1
            np.maximum(h, 0, out=h)
            np.matmul(h, w2, out=o)
            o += b2
            o -= o.max(axis=1, keepdims=True)
            np.exp(o, out=o)
            o /= o.sum(axis=1, keepdims=True)
            o[np.arange(m), y] -= 1
            o *= f32(1 / m)  # dLoss/dlogits of the batch mean
            np.matmul(h.T, o, out=dw2)
            db2 = o.sum(axis=0)
            np.matmul(o, w2.T, out=d)
            d *= h > 0
            np.matmul(x.T, d, out=dw1)
            db1 = d.sum(axis=0)
            w1 -= lr * dw1
            b1 -= lr * db1
            w2 -= lr * dw2
            b2 -= lr * db2
    seconds = time.perf_counter() - start

    logits = np.maximum(xte @ w1 + b1, 0) @ w2 + b2
    acc = float((logits.argmax(axis=1) == yte).mean())
    print(json.dumps({"peer": "numpy", "network": f"784-{hidden}-10", "threads": threads, "epochs": epochs,
                      "train_seconds": seconds, "epochs_per_second": epochs / seconds, "test_accuracy": acc,
                      "config": f"numpy {np.__version__}, {mnist_idx.openblas_core()}"}))


if __name__ == "__main__":
    main()
