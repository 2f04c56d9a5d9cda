#!/usr/bin/env python3
"""Interop between simdnn model files and PyTorch, using only torch and the
documented safetensors format (https://huggingface.co/docs/safetensors):
an 8-byte little-endian header length, a JSON header mapping tensor names
to {"dtype", "shape", "data_offsets"}, then the raw little-endian tensor
bytes. The `safetensors` Python package itself is not used: it is not in
Debian and PyPI is out of reach where this was written.

  torch_safetensors.py write MODEL.safetensors EXPECT.json
      Trains a small torch MLP for 100 SGD steps, writes it as a simdnn model
      file (dense_<l>.kernel = Linear.weight transposed to in×out, the Keras
      layout; dense_<l>.bias; __metadata__ with format, sizes, activations
      and the CRC-32C of the data) and writes an input batch with torch's
      softmax outputs for it to EXPECT.json.

  torch_safetensors.py check MODEL.safetensors INPUT.json
      Reads a model file (as simdnn writes it) into torch Linear layers,
      checks its CRC-32C, runs the rows of INPUT.json ({"rows", "input"})
      through it and prints {"probabilities": [...]} as JSON.
"""
import json
import struct
import sys

import torch


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli, reflected polynomial 0x82F63B78)."""
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    crc = 0xFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def tensor_bytes(t: torch.Tensor) -> bytes:
    return t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()


def write(model_path: str, expect_path: str) -> None:
    torch.manual_seed(0)
    sizes = [8, 16, 12, 3]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    # Some SGD steps so that the biases are not zero.
    x = torch.randn(32, sizes[0])
    y = torch.randint(0, sizes[-1], (32,))
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    for _ in range(100):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(net(x), y).backward()
        opt.step()

    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    header, data = {}, b""
    for l, lin in enumerate(linears):
        for name, t in ((f"dense_{l}.kernel", lin.weight.t()), (f"dense_{l}.bias", lin.bias)):
            b = tensor_bytes(t)
            header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [len(data), len(data) + len(b)]}
            data += b
    header["__metadata__"] = {
        "format": "pt",
        "sizes": ",".join(str(s) for s in sizes),
        "activations": ",".join(["relu"] * (len(linears) - 1) + ["softmax"]),
        "crc32c": "%08x" % crc32c(data),
    }
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)  # pad so the data is 8-byte aligned
    with open(model_path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)

    inp = torch.randn(4, sizes[0])
    with torch.no_grad():
        probs = torch.softmax(net(inp), dim=1)
    with open(expect_path, "w") as f:
        json.dump({"torch": torch.__version__, "rows": 4, "input": inp.flatten().tolist(),
                   "probabilities": probs.flatten().tolist()}, f)
        f.write("\n")


def check(model_path: str, input_path: str) -> None:
    with open(model_path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop("__metadata__", {})
    if "crc32c" in meta and int(meta["crc32c"], 16) != crc32c(data):
        sys.exit("crc32c mismatch")

    def load(name):
        info = header[name]
        if info["dtype"] != "F32":
            sys.exit(f"{name}: dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        return t.reshape(info["shape"])

    layers = len(header) // 2
    with open(input_path) as f:
        spec = json.load(f)
    a = torch.tensor(spec["input"], dtype=torch.float32).reshape(spec["rows"], -1)
    with torch.no_grad():
        for l in range(layers):
            lin = torch.nn.Linear(*load(f"dense_{l}.kernel").shape)
            lin.weight.copy_(load(f"dense_{l}.kernel").t())
            lin.bias.copy_(load(f"dense_{l}.bias"))
            a = lin(a)
            if l < layers - 1:
                a = torch.relu(a)
        probs = torch.softmax(a, dim=1)
    json.dump({"torch": torch.__version__, "probabilities": probs.flatten().tolist()}, sys.stdout)


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] not in ("write", "check"):
        sys.exit(__doc__)
    (write if sys.argv[1] == "write" else check)(sys.argv[2], sys.argv[3])
