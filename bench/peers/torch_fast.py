"""A recipe to a target test accuracy in PyTorch, from a fresh process:
nn.Sequential(Linear(784, h), ReLU, Linear(h, 10)), CrossEntropyLoss
(mean), Adam or SGD with (Nesterov) momentum, stepped per batch through
OneCycleLR (PyTorch's defaults: cosine, 30 % rising), xavier_uniform_
weights and zero biases, a fresh shuffle every epoch by indexing the
tensor, the last short batch included; the test accuracy after the
last epoch.

Usage: torch_fast.py DATA_DIR HIDDEN OPTIMIZER LR BATCH EPOCHS THREADS SEED
(OPTIMIZER: adam, nesterov, momentum). Prints one JSON line; the caller
times the whole process.
"""

import json
import sys
import time

import torch

import mnist_idx


def main():
    data = sys.argv[1]
    hidden, optimizer, lr = int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
    batch, epochs, threads, seed = (int(a) for a in sys.argv[5:9])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    xtr, ytr, xte, yte = (torch.from_numpy(a) for a in mnist_idx.load(data))
    model = torch.nn.Sequential(torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    for layer in (model[0], model[2]):
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=optimizer == "nesterov")
    n = xtr.shape[0]
    steps = epochs * ((n + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    loss_fn = torch.nn.CrossEntropyLoss()

    start = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n)
        for lo in range(0, n, batch):
            idx = perm[lo:lo + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            sched.step()
    seconds = time.perf_counter() - start

    with torch.inference_mode():
        acc = float((model(xte).argmax(dim=1) == yte).float().mean())
    print(json.dumps({"peer": "torch", "network": f"784-{hidden}-10", "optimizer": optimizer, "lr": lr,
                      "batch": batch, "epochs": epochs, "threads": threads, "seed": seed,
                      "train_seconds": seconds, "test_accuracy": acc,
                      "config": f"torch {torch.__version__}, {mnist_idx.openblas_core()}, "
                                f"{torch.get_num_threads()} threads"}))


if __name__ == "__main__":
    main()
