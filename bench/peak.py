"""The peak section of compiled_vs_ort.py: the largest GEMM and the largest
convolution of the bench models, as one-layer .nn models, and the machine's
theoretical f32 peak.

The shapes are found by running the PyTorch twins: 2-D GEMMs as the
aten::mm / aten::addmm calls that torch's profiler records (linear layers,
attention projections, the input projections of recurrent layers), and
convolutions through forward hooks on nn.Conv2d / nn.ConvTranspose2d.
"""

import os
from dataclasses import dataclass

import torch
from torch import nn
from torch.profiler import ProfilerActivity, profile

import bench_models


@dataclass
class Kernel:
    kind: str  # "gemm" or "conv"
    label: str  # the shape, for the table
    origin: str  # "<model> <layer>"
    flops: int
    nn_source: str  # a one-layer .nn model of exactly this shape


def gemm(m, k, n, origin):
    source = ("model peak_gemm() {\n"
              f"  input x: f32[{m}, {k}]\n"
              f"  output y: f32[{m}, {n}] = linear(x, {n}, bias=false) as fc\n"
              "}\n")
    return Kernel("gemm", f"[{m}x{k}] x [{k}x{n}]", origin, 2 * m * k * n, source)


def conv(module, shape, origin):
    """A Kernel for `module` (Conv2d or ConvTranspose2d) on input `shape`."""
    n, c, h, w = shape
    kh, kw = module.kernel_size
    (sh, sw), (ph, pw), (dh, dw) = module.stride, module.padding, module.dilation
    g, co = module.groups, module.out_channels
    args = (f"[{kh}, {kw}], stride=[{sh}, {sw}], padding=[{ph}, {pw}], "
            f"dilation=[{dh}, {dw}], groups={g}, bias={str(module.bias is not None).lower()}")
    if isinstance(module, nn.ConvTranspose2d):
        oph, opw = module.output_padding
        ho = (h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
        wo = (w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
        call = f"conv_transpose2d(x, {co}, {args}, output_padding=[{oph}, {opw}])"
        flops = 2 * n * c * h * w * (co // g) * kh * kw
        name = "conv_transpose2d"
    else:
        ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
        wo = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
        call = f"conv2d(x, {co}, {args})"
        flops = 2 * n * co * ho * wo * (c // g) * kh * kw
        name = "conv2d"
    source = ("model peak_conv() {\n"
              f"  input x: f32[{n}, {c}, {h}, {w}]\n"
              f"  output y: f32[{n}, {co}, {ho}, {wo}] = {call} as conv\n"
              "}\n")
    label = f"{name} {n}x{c}x{h}x{w} -> {co}, k{kh}x{kw} s{sh} p{ph}"
    return Kernel("conv", label, origin, flops, source)


def largest_kernels(models, batch):
    """The largest GEMM and the largest convolution (by FLOPs) of `models`
    at batch size `batch`; either is None where no model has one. Ties keep
    the first found."""
    best = {"gemm": None, "conv": None}

    def consider(kernel):
        if best[kernel.kind] is None or kernel.flops > best[kernel.kind].flops:
            best[kernel.kind] = kernel

    for model in models:
        twin, inputs, _ = bench_models.build_twin(model, batch)
        hooks = []
        for name, module in twin.named_modules():
            if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d)):
                def hook(mod, args, _out, name=name):
                    consider(conv(mod, tuple(args[0].shape), f"{model} {name}"))
                hooks.append(module.register_forward_hook(hook))
        with torch.no_grad(), profile(activities=[ProfilerActivity.CPU],
                                      record_shapes=True) as prof:
            twin(**inputs)
        for h in hooks:
            h.remove()
        for event in prof.events():
            shapes = [s for s in event.input_shapes if len(s) == 2]
            if event.name == "aten::mm" and len(shapes) == 2:
                (m, k), (_, n) = shapes
            elif event.name == "aten::addmm" and len(shapes) >= 2:
                (m, k), (_, n) = shapes[-2:]
            else:
                continue
            consider(gemm(m, k, n, f"{model} (torch {event.name})"))
    return best["gemm"], best["conv"]


def cpu_peak(fma_units):
    """(description, GFLOP/s of one core) from /proc/cpuinfo: the clock
    ("cpu MHz", the nominal one under a hypervisor; turbo may run higher) x
    f32 FLOP per cycle (vector lanes x 2 for a fused multiply-add x
    `fma_units`)."""
    name, mhz, flags = "unknown CPU", None, set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "model name" and name == "unknown CPU":
                name = value
            elif key == "cpu MHz" and mhz is None:
                mhz = float(value)
            elif key == "flags" and not flags:
                flags = set(value.split())
    if mhz is None:
        raise RuntimeError("/proc/cpuinfo has no 'cpu MHz' line")
    if "avx512f" in flags and "fma" in flags:
        isa, lanes = "AVX-512 FMA", 16
    elif "avx2" in flags and "fma" in flags:
        isa, lanes = "AVX2 FMA", 8
    else:
        isa, lanes = "SSE (no FMA: one add + one multiply per cycle)", 4
    per_cycle = lanes * 2 * (fma_units if "FMA" in isa else 1)
    ghz = mhz / 1000
    text = (f"{name}, {os.cpu_count()} cores at {ghz:.2f} GHz (cpu MHz), {isa}: "
            f"{lanes} f32 lanes x 2 FLOP"
            + (f" x {fma_units} FMA units (an assumption: Xeon Gold/Platinum "
               f"cores have 2 AVX-512 FMA units, some cheaper SKUs 1; "
               f"--fma-units sets it)" if "FMA" in isa else "")
            + f" = {per_cycle} FLOP/cycle per core")
    return text, ghz * per_cycle


def write_model(kernel, workdir):
    path = os.path.join(workdir, f"peak_{kernel.kind}.nn")
    with open(path, "w") as f:
        f.write(kernel.nn_source)
    return path
