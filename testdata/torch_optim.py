#!/usr/bin/env python3
"""Writes torch_optim.json: PyTorch's own optimizer steps on fixed float32
numbers, for TestTorchOptimizers (torch_test.go) to replay with simdnn's
kernels on every implementation.

    python3 testdata/torch_optim.py > testdata/torch_optim.json

Each case runs torch.optim.SGD (plain, momentum, nesterov), Adam or AdamW,
with and without weight decay, for a few steps on one parameter tensor of
37 floats (the kernels' vector bodies and tails both) with a new gradient
each step. Gradients span magnitudes from 1 down to 1e-9, so that eps
matters in Adam's denominator for some elements. Every hyperparameter is
a float32 value (torch computes its scalars in float64 from them; the
kernels take float32). Floats are written as their IEEE 754 bits.
"""
import json
import sys

import numpy as np
import torch

N, STEPS = 37, 4


def f32(x):
    return float(np.float32(x))


def bits(t):
    return [int(b) for b in t.detach().numpy().astype(np.float32).view(np.uint32)]


CASES = [
    ("sgd", dict(lr=f32(0.1))),
    ("sgd", dict(lr=f32(0.1), weight_decay=f32(0.01))),
    ("momentum", dict(lr=f32(0.05), momentum=f32(0.9))),
    ("momentum", dict(lr=f32(0.05), momentum=f32(0.9), weight_decay=f32(1e-3))),
    ("nesterov", dict(lr=f32(0.05), momentum=f32(0.9), nesterov=True)),
    ("nesterov", dict(lr=f32(0.05), momentum=f32(0.8), nesterov=True, weight_decay=f32(1e-2))),
    ("adam", dict(lr=f32(1e-3), betas=(f32(0.9), f32(0.999)), eps=f32(1e-8))),
    ("adam", dict(lr=f32(1e-2), betas=(f32(0.8), f32(0.99)), eps=f32(1e-6), weight_decay=f32(1e-2))),
    ("adamw", dict(lr=f32(1e-3), betas=(f32(0.9), f32(0.999)), eps=f32(1e-8), weight_decay=f32(1e-2))),
    ("adamw", dict(lr=f32(3e-3), betas=(f32(0.85), f32(0.995)), eps=f32(1e-7), weight_decay=f32(0))),
]


def make(name, params, kw):
    if name in ("sgd", "momentum", "nesterov"):
        return torch.optim.SGD(params, **kw)
    if name == "adam":
        return torch.optim.Adam(params, **kw)
    return torch.optim.AdamW(params, **kw)


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(20240601)
    out = {"torch": torch.__version__, "n": N, "cases": []}
    for name, kw in CASES:
        w0 = (rng.standard_normal(N) * 0.5).astype(np.float32)
        scale = 10.0 ** -rng.integers(0, 10, size=(STEPS, N))
        grads = (rng.standard_normal((STEPS, N)) * scale).astype(np.float32)
        p = torch.nn.Parameter(torch.from_numpy(w0.copy()))
        opt = make(name, [p], kw)
        after = []
        for s in range(STEPS):
            p.grad = torch.from_numpy(grads[s].copy())
            opt.step()
            after.append(bits(p))
        case = {"optimizer": name, "lr": kw["lr"], "momentum": kw.get("momentum", 0.0),
                "weight_decay": kw.get("weight_decay", 0.0),
                "beta1": kw.get("betas", (0.9, 0.999))[0], "beta2": kw.get("betas", (0.9, 0.999))[1],
                "eps": kw.get("eps", 1e-8),
                "w0": bits(torch.from_numpy(w0)), "grads": [bits(torch.from_numpy(g)) for g in grads], "w": after}
        out["cases"].append(case)
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
