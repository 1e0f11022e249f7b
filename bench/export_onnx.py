#!/usr/bin/python3
"""Exports the bench models for nnc, ONNX Runtime and PyTorch.

usage: bench/export_onnx.py OUTDIR [--models mlp,lenet,...] [--batch B]

For each model (bench_models.MODELS) builds the PyTorch twin with its
perturbed weights and inputs at batch size B, and writes
  OUTDIR/<model>.onnx             torch.onnx.export, opset 17, static shapes
  OUTDIR/<model>.safetensors      the same weights under nnc's names
  OUTDIR/<model>.<input>.npy      one file per model input
  OUTDIR/<model>.expected/<output>.npy   PyTorch's outputs (eval, no_grad)
  OUTDIR/<model>.json             a manifest: the files, inputs and outputs
"""

import argparse
import json
import os
import sys
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import bench_models  # noqa: E402
import safetensors_io  # noqa: E402

OPSET = 17  # the newest opset torch 1.13's exporter supports


class Positional(nn.Module):
    """A twin with positional inputs and a tuple of outputs, as the ONNX
    exporter wants them (twins take keyword inputs, return a dict)."""

    def __init__(self, twin, input_names):
        super().__init__()
        self.twin = twin
        self.input_names = input_names

    def forward(self, *args):
        return tuple(self.twin(**dict(zip(self.input_names, args))).values())


def export(model, batch, outdir):
    """Writes the files of one model; returns its manifest."""
    twin, inputs, results = bench_models.build_twin(model, batch)
    base = os.path.join(outdir, model)
    weights = base + ".safetensors"
    safetensors_io.save({k: v.detach().numpy() for k, v in twin.state_dict().items()},
                        weights)
    input_files = {}
    for name, tensor in inputs.items():
        input_files[name] = f"{base}.{name}.npy"
        np.save(input_files[name], tensor.numpy())
    expected = base + ".expected"
    os.makedirs(expected, exist_ok=True)
    for name, tensor in results.items():
        np.save(os.path.join(expected, name + ".npy"), tensor.numpy())
    onnx = base + ".onnx"
    with torch.no_grad(), warnings.catch_warnings():
        # The exporter warns about traced shape arithmetic, which is what a
        # static-shape export is meant to bake in.
        warnings.simplefilter("ignore")
        torch.onnx.export(Positional(twin, list(inputs)), tuple(inputs.values()), onnx,
                          input_names=list(inputs), output_names=list(results),
                          opset_version=OPSET, do_constant_folding=True)
    spec = bench_models.MODELS[model]
    manifest = {
        "model": model,
        "batch": batch,
        "example": os.path.join(bench_models.ROOT, spec.example),
        "twin": spec.twin,
        "defines": spec.defines,
        "nnc_args": spec.nnc_args(),
        "onnx": onnx,
        "weights": weights,
        "inputs": {n: {"file": f, "dtype": str(inputs[n].dtype).replace("torch.", ""),
                       "shape": list(inputs[n].shape)} for n, f in input_files.items()},
        "outputs": list(results),
        "expected": expected,
    }
    with open(base + ".json", "w") as f:
        json.dump(manifest, f, indent=1)
    return manifest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("outdir")
    parser.add_argument("--models", default=",".join(bench_models.MODELS),
                        help="comma-separated (default: all)")
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    models = [m for m in args.models.split(",") if m]
    unknown = [m for m in models if m not in bench_models.MODELS]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; known: "
                     f"{', '.join(bench_models.MODELS)}")
    if args.batch < 1:
        parser.error("--batch must be at least 1")
    os.makedirs(args.outdir, exist_ok=True)
    torch.set_num_threads(1)
    for model in models:
        m = export(model, args.batch, args.outdir)
        shapes = ", ".join(f"{n} {v['dtype']}{v['shape']}" for n, v in m["inputs"].items())
        print(f"{model}: {m['onnx']} ({shapes})", file=sys.stderr)


if __name__ == "__main__":
    main()
