"""PyTorch side of `npm run bench:train -- --pytorch` (tools/bench/train.ts runs it and compares).

Reads a JSON job on stdin: {"models": [{"key", "input": [T, C], "layers": [...]}], "windows", "batch", "repeat",
"dtypes": ["float32", ...], "seed"}, where each layer is an IR layer with its padding already resolved to
padBefore/padAfter by the TypeScript side (TensorFlow's `same` rule is asymmetric; torch's is not). Builds the same
architecture, trains `windows` random windows for one epoch (batch `batch`, Adam, weighted BCE-with-logits, one
thread) after one warm-up epoch, and prints one JSON line per model and dtype: parameter count and training samples
per CPU-second (time.process_time, so other load on the machine does not count), best of `repeat`.
"""
import json
import sys
import time

import torch
from torch import nn
from torch.nn import functional as F


class Pad(nn.Module):
    def __init__(self, before, after):
        super().__init__()
        self.before, self.after = before, after

    def forward(self, x):  # x: [N, C, T]
        return F.pad(x, (self.before, self.after)) if self.before or self.after else x


class LastStep(nn.Module):
    """GRU over [N, C, T] (the conv layout), returning the last state [N, u, 1] or every step [N, u, T]."""

    def __init__(self, channels, units, sequences):
        super().__init__()
        self.gru = nn.GRU(channels, units, batch_first=True)
        self.sequences = sequences

    def forward(self, x):
        out, _ = self.gru(x.transpose(1, 2))
        out = out if self.sequences else out[:, -1:, :]
        return out.transpose(1, 2)


class Dense(nn.Module):
    """The IR's dense: one output step from the whole [C, T] input (flattened time-major, as the engine does)."""

    def __init__(self, inputs, units):
        super().__init__()
        self.linear = nn.Linear(inputs, units)

    def forward(self, x):
        return self.linear(x.transpose(1, 2).reshape(x.shape[0], -1)).unsqueeze(2)


def activation(name):
    return {"relu": [nn.ReLU()], "relu6": [nn.ReLU6()], "none": []}[name]


def build(model):
    length, channels = model["input"]
    layers = []
    for layer in model["layers"]:
        kind = layer["kind"]
        if kind in ("conv1d", "pointwise1d", "depthwise1d"):
            kernel = layer.get("kernel", 1)
            stride = layer.get("stride", 1)
            filters = channels if kind == "depthwise1d" else layer["filters"]
            groups = channels if kind == "depthwise1d" else 1
            layers += [Pad(layer["padBefore"], layer["padAfter"]), nn.Conv1d(channels, filters, kernel, stride, groups=groups)]
            layers += activation(layer["activation"])
            length = (length + layer["padBefore"] + layer["padAfter"] - kernel) // stride + 1
            channels = filters
        elif kind == "maxpool1d":
            layers.append(nn.MaxPool1d(layer["pool"], layer["stride"]))
            length = (length - layer["pool"]) // layer["stride"] + 1
        elif kind == "globalavgpool":
            layers.append(nn.AdaptiveAvgPool1d(1))
            length = 1
        elif kind == "gru":
            layers.append(LastStep(channels, layer["units"], layer["returnSequences"]))
            channels = layer["units"]
            length = length if layer["returnSequences"] else 1
        elif kind == "dense":
            layers.append(Dense(length * channels, layer["units"]))
            layers += activation(layer["activation"])
            channels, length = layer["units"], 1
        elif kind in ("relu", "relu6"):
            layers += activation(kind)
        else:
            raise ValueError(f"bench: no PyTorch equivalent for layer kind {kind}")
    return nn.Sequential(*layers, nn.Flatten())


def epoch(model, optimizer, x, y, weights, batch):
    for start in range(0, x.shape[0], batch):
        xb, yb, wb = x[start : start + batch], y[start : start + batch], weights[start : start + batch]
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(xb).squeeze(1), yb, weight=wb)
        loss.backward()
        optimizer.step()


def main():
    job = json.load(sys.stdin)
    torch.set_num_threads(1)
    torch.manual_seed(job["seed"])
    for spec in job["models"]:
        for dtype_name in job["dtypes"]:
            dtype = getattr(torch, dtype_name)
            model = build(spec).to(dtype)
            params = sum(p.numel() for p in model.parameters())
            length, channels = spec["input"]
            windows = spec["windows"]
            x = torch.randn(windows, channels, length, dtype=dtype)
            y = (torch.rand(windows) < 0.2).to(dtype)
            weights = torch.where(y > 0, torch.tensor(2.5, dtype=dtype), torch.tensor(0.625, dtype=dtype))
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
            epoch(model, optimizer, x[: job["batch"] * 4], y[: job["batch"] * 4], weights[: job["batch"] * 4], job["batch"])
            best = 0.0
            for _ in range(job["repeat"]):
                started = time.process_time()
                epoch(model, optimizer, x, y, weights, job["batch"])
                best = max(best, windows / (time.process_time() - started))
            print(json.dumps({"key": spec["key"], "dtype": dtype_name, "params": params, "samplesPerCpuSecond": best}), flush=True)


if __name__ == "__main__":
    main()
