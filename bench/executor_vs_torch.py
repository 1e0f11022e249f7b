#!/usr/bin/python3
"""Times nnc's reference executor against PyTorch on the same models,
weights, inputs and thread counts, and writes a table.

usage: bench/executor_vs_torch.py [--nnc build/bin/nnc] [--passes 3]
                                  [--repeat 20] [--out bench/results/executor.md]

For every (model, batch, threads) the two peers run back to back, each in its
own process with OMP/OpenBLAS/MKL thread counts set (and OMP_WAIT_POLICY=
PASSIVE, so PyTorch's OpenMP threads do not spin against OpenBLAS); each
reports the median of --repeat timed runs after a warm-up, and the table
shows the median over --passes interleaved passes, with the spread. The
twins and weights come from test/fixtures (the same ones the correctness
tests use). Progress goes to stderr; the run can be interrupted and simply
started again (each row is independent).
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "fixtures"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import safetensors_io  # noqa: E402
import twins  # noqa: E402
from twins_common import perturb  # noqa: E402

MODELS = [
    ("mlp", "examples/mlp.nn"),
    ("lenet", "examples/lenet.nn"),
    ("resnet18", "examples/resnet.nn"),
    ("lstm_classifier", "examples/lstm_classifier.nn"),
    ("transformer_classifier", "examples/transformer_encoder.nn"),
]

TORCH_TIMER = r"""
import pickle, statistics, sys, time, torch
sys.path.insert(0, sys.argv[1])
import twins
torch.set_num_threads(int(sys.argv[3]))
with open(sys.argv[2], "rb") as f:
    model, state, inputs, repeat = pickle.load(f)
twin = twins.build(model)
twin.load_state_dict(state)
twin.eval()
times = []
with torch.no_grad():
    twin(**inputs)
    for _ in range(repeat):
        start = time.perf_counter()
        twin(**inputs)
        times.append((time.perf_counter() - start) * 1000)
print(statistics.median(times))
"""


def thread_env(threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NNC_NUM_THREADS"):
        env[var] = str(threads)
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def prepare(model, example, batch, workdir):
    """Twin weights as safetensors and batch-sized inputs as .npy."""
    torch.manual_seed(0)
    twin = twins.build(model)
    perturb(twin, torch.Generator().manual_seed(0))
    twin.eval()
    inputs = twin.make_inputs(torch.Generator().manual_seed(1))
    sized = {}
    for name, t in inputs.items():
        reps = [1] * t.dim()
        reps[0] = -(-batch // t.shape[0])
        sized[name] = t.repeat(*reps)[:batch].contiguous()
    weights = os.path.join(workdir, "weights.safetensors")
    safetensors_io.save(twin.state_dict(), weights)
    args = ["--weights", weights]
    for name, t in sized.items():
        path = os.path.join(workdir, name + ".npy")
        np.save(path, t.numpy())
        args += ["--input", f"{name}={path}"]
    return twin.state_dict(), sized, args


def time_nnc(nnc, example, args, threads, repeat):
    out = subprocess.run(
        [nnc, "run", example, *args, "--repeat", str(repeat), "--threads",
         str(threads)], env=thread_env(threads), check=True,
        capture_output=True, text=True).stdout
    return float(re.search(r"time: ([0-9.]+) ms", out).group(1))


def time_torch(model, state, inputs, threads, repeat, workdir):
    import pickle
    blob = os.path.join(workdir, "torch.pkl")
    with open(blob, "wb") as f:
        pickle.dump((model, state, inputs, repeat), f)
    out = subprocess.run(
        ["/usr/bin/python3", "-c", TORCH_TIMER,
         os.path.join(ROOT, "test", "fixtures"), blob, str(threads)],
        env=thread_env(threads), check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nnc", default=os.path.join(ROOT, "build", "bin", "nnc"))
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--batches", default="1,32")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "executor.md"))
    args = parser.parse_args()

    rows = []
    for model, example in MODELS:
        example = os.path.join(ROOT, example)
        for batch in [int(b) for b in args.batches.split(",")]:
            with tempfile.TemporaryDirectory() as work:
                state, inputs, run_args = prepare(model, example, batch, work)
                for threads in [int(t) for t in args.threads.split(",")]:
                    ours, theirs = [], []
                    for p in range(args.passes):
                        print(f"{model} batch {batch} threads {threads} pass {p + 1}",
                              file=sys.stderr, flush=True)
                        ours.append(time_nnc(args.nnc, example, run_args, threads, args.repeat))
                        theirs.append(time_torch(model, state, inputs, threads, args.repeat, work))
                    rows.append((model, batch, threads, ours, theirs))

    lines = ["| model | batch | threads | nnc executor ms | PyTorch ms | nnc / PyTorch |",
             "|---|---|---|---|---|---|"]
    for model, batch, threads, ours, theirs in rows:
        a, b = statistics.median(ours), statistics.median(theirs)
        spread = lambda xs: f"±{(max(xs) - min(xs)) / 2:.2f}"
        lines.append(f"| {model} | {batch} | {threads} | {a:.3f} {spread(ours)} | "
                     f"{b:.3f} {spread(theirs)} | {a / b:.2f} |")
    ratios = [statistics.median(o) / statistics.median(t) for *_, o, t in rows]
    geo = float(np.exp(np.mean(np.log(ratios))))
    lines.append("")
    lines.append(f"Geometric mean of nnc / PyTorch: {geo:.2f} "
                 f"(torch {torch.__version__}, {args.passes} interleaved passes, "
                 f"median of {args.repeat} runs each)")
    table = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(table)
    os.replace(tmp, args.out)
    print(table)


if __name__ == "__main__":
    main()
