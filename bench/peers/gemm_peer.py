"""The GEMM sweep's peer: numpy (and the OpenBLAS it loads) on one thread
timing simdnn's two dense kernels on the same shapes.

forward:  y = max(x @ w + b, 0)                      (2mkn FLOP)
backward: dw = x.T @ dy, db = dy.sum(0), dx = dy @ w.T  (4mkn FLOP)

Every output is preallocated and written through out=. Each call is
repeated until a run of calls takes 2 ms of the thread's CPU time (the
first such run is the warm-up), then the best of up to RUNS runs, fewer
once the runs have taken a second, gives the time per call: the protocol
of bench/cmd/gemmsweep.

Usage: gemm_peer.py [--runs N] [--ops forward,backward] SHAPE...
(SHAPE is m x k x n, as 1024x784x15). OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE come from the environment; OpenBLAS runs on one thread.
Prints one JSON object: the numpy version, the BLAS library numpy has
loaded (from /proc/self/maps), its core name and configuration, and the
seconds per call of each shape and op.
"""

import argparse
import ctypes
import json
import os
import sys
import time

os.environ["OPENBLAS_NUM_THREADS"] = "1"  # before numpy loads OpenBLAS
os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402

MIN_RUN = 0.002  # seconds of thread CPU time per run
MAX_SPENT = 1.0  # stop the runs after this much


def per_call(f, runs):
    def timed(calls):
        start = time.thread_time()
        for _ in range(calls):
            f()
        return time.thread_time() - start

    calls = 1
    d = timed(calls)
    while d < MIN_RUN:
        want = int(calls * 1.2 * MIN_RUN / d) if d > 0 else calls * 100
        calls = min(max(want, 2 * calls), 100 * calls)
        d = timed(calls)
    best, spent, i = float("inf"), 0.0, 0
    while i < runs and (i == 0 or spent < MAX_SPENT):
        d = timed(calls)
        best, spent, i = min(best, d), spent + d, i + 1
    return best / calls


def kernels(m, k, n, rng):
    f32 = np.float32
    x = rng.uniform(-1, 1, (m, k)).astype(f32)
    w = rng.uniform(-1, 1, (k, n)).astype(f32)
    b = rng.uniform(-1, 1, n).astype(f32)
    dy = rng.uniform(-1, 1, (m, n)).astype(f32)
    y = np.empty((m, n), f32)
    dw, db, dx = np.empty((k, n), f32), np.empty(n, f32), np.empty((m, k), f32)

    def forward():
        np.matmul(x, w, out=y)
        np.add(y, b, out=y)
        np.maximum(y, 0, out=y)

    def backward():
        np.matmul(x.T, dy, out=dw)
        np.sum(dy, axis=0, out=db)
        np.matmul(dy, w.T, out=dx)

    return {"forward": forward, "backward": backward}


def blas():
    """The BLAS library numpy has loaded, its OpenBLAS core name and
    configuration (empty when it is not OpenBLAS)."""
    paths = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            if ("blas" in os.path.basename(path)) and path not in paths:
                paths.append(path)
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
            core, config = lib.openblas_get_corename, lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        core.restype = config.restype = ctypes.c_char_p
        return path, core().decode(), config().decode()
    return (paths[0] if paths else ""), "", ""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--ops", default="forward,backward")
    p.add_argument("shapes", nargs="+")
    a = p.parse_args()
    ops = a.ops.split(",")
    rng = np.random.default_rng(1)
    results = []
    for s in a.shapes:
        m, k, n = (int(v) for v in s.split("x"))
        calls = kernels(m, k, n, rng)
        for op in ops:
            results.append({"shape": s, "op": op, "seconds": per_call(calls[op], a.runs)})
    path, core, config = blas()
    json.dump({"numpy": np.__version__, "blas": path, "corename": core, "config": config,
               "coretype_env": os.environ.get("OPENBLAS_CORETYPE", ""), "results": results}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
