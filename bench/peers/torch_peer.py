"""The tutorial job in PyTorch: nn.Sequential(Linear(784, h), ReLU,
Linear(h, 10)), CrossEntropyLoss (mean), optim.SGD(lr 0.2), batch 1024,
xavier_uniform_ weights and zero biases (Keras' defaults), a fresh
shuffle every epoch by indexing the tensor (no DataLoader), the last
short batch included.

Usage: torch_peer.py DATA_DIR HIDDEN EPOCHS THREADS. Prints one JSON line.
"""

import json
import sys
import time

import torch

import mnist_idx


def main():
    data, hidden, epochs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    xtr, ytr, xte, yte = (torch.from_numpy(a) for a in mnist_idx.load(data))
    model = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    for layer in (model[0], model[2]):
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    n, batch = xtr.shape[0], 1024

    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for lo in range(0, n, batch):
            idx = perm[lo:lo + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - start

    with torch.inference_mode():
        acc = float((model(xte).argmax(dim=1) == yte).float().mean())
    print(json.dumps({"peer": "torch", "network": f"784-{hidden}-10", "threads": threads, "epochs": epochs,
                      "train_seconds": seconds, "epochs_per_second": epochs / seconds, "test_accuracy": acc,
                      "config": f"torch {torch.__version__}, {mnist_idx.openblas_core()}, "
                                f"{torch.get_num_threads()} threads"}))


if __name__ == "__main__":
    main()
