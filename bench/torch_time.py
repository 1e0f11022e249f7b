#!/usr/bin/python3
"""Times a bench model's PyTorch twin the way `nnc run --time-runs` times
nnc: eval mode, torch.no_grad, the exported weights and inputs.

usage: bench/torch_time.py MANIFEST.json [--threads T] [--warmup-runs W]
                           [--time-runs N]

MANIFEST.json is written by export_onnx.py. Prints only
`latency_ms: median=<m> min=<m> mean=<m> runs=<N>`. Run it with
OMP_NUM_THREADS (and the BLAS equivalents) set to T as well:
compiled_vs_ort.py does.
"""

import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import bench_models  # noqa: E402,F401 (puts test/fixtures on sys.path)
import safetensors_io  # noqa: E402
import twins  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("manifest")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--warmup-runs", type=int, default=1)
    parser.add_argument("--time-runs", type=int, default=10)
    args = parser.parse_args()
    if args.threads < 1 or args.warmup_runs < 0 or args.time_runs < 1:
        parser.error("--threads and --time-runs must be >= 1, --warmup-runs >= 0")
    with open(args.manifest) as f:
        manifest = json.load(f)

    torch.set_num_threads(args.threads)
    twin = twins.build(manifest["twin"], twins.parse_defines(manifest["defines"]))
    state = {k: torch.from_numpy(v) for k, v in safetensors_io.load(manifest["weights"]).items()}
    twin.load_state_dict(state)
    twin.eval()
    inputs = {n: torch.from_numpy(np.load(v["file"])) for n, v in manifest["inputs"].items()}

    times = []
    with torch.no_grad():
        for _ in range(args.warmup_runs):
            twin(**inputs)
        for _ in range(args.time_runs):
            start = time.perf_counter()
            twin(**inputs)
            times.append((time.perf_counter() - start) * 1000)
    print(f"latency_ms: median={statistics.median(times):.4f} min={min(times):.4f} "
          f"mean={statistics.fmean(times):.4f} runs={len(times)}")


if __name__ == "__main__":
    main()
