"""Reads the four original MNIST files (gzipped IDX) for the Python peers."""

import gzip
import os
import struct

import numpy as np


def _read(path, magic, dims):
    with gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    got, = struct.unpack(">I", data[:4])
    if got != magic:
        raise ValueError(f"{path}: magic {got:#x}, want {magic:#x}")
    shape = struct.unpack(">" + "I" * dims, data[4:4 + 4 * dims])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise ValueError(f"{path}: header says {shape}, file holds {body.size} bytes")
    return body.reshape(shape)


def load(directory):
    """Returns (x_train, y_train, x_test, y_test): float32 rows of 784
    pixels scaled to [0, 1] and int64 labels, as simdnn's mnist package
    reads them."""
    def split(images, labels):
        x = _read(os.path.join(directory, images), 0x803, 3)
        y = _read(os.path.join(directory, labels), 0x801, 1)
        return (x.reshape(x.shape[0], -1).astype(np.float32) / np.float32(255)), y.astype(np.int64)

    xtr, ytr = split("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
    xte, yte = split("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    return xtr, ytr, xte, yte


def openblas_core():
    """Names the OpenBLAS kernel set in use, or says OpenBLAS is absent."""
    import ctypes
    for name in ("libopenblas.so.0", "libopenblasp-r0.3.21.so", "libblas.so.3"):
        try:
            lib = ctypes.CDLL(name)
            fn = lib.openblas_get_corename
        except (OSError, AttributeError):
            continue
        fn.restype = ctypes.c_char_p
        return "OpenBLAS " + fn().decode()
    return "no OpenBLAS"
