#!/usr/bin/python3
"""Times nnc against ONNX Runtime and PyTorch on the same models, weights,
inputs and thread counts, and writes a Markdown table.

usage: bench/compiled_vs_ort.py [--models mlp,lenet,...] [--threads 1,2]
           [--batches 1,32] [--runs 20] [--warmup 3] [--reps 3]
           [--nnc-mode compiled|executor] [--fresh] [--no-peak]

Needs scripts/setup-bench.sh (onnxruntime-node in bench/node_modules). For
each (model, batch) export_onnx.py writes the ONNX model, the safetensors
weights and the inputs from the PyTorch twin. For each thread count, nnc's
outputs are first compared with PyTorch's and ONNX Runtime's (max abs error
<= --tolerance x max(1, max |reference|), as test/fixtures/compare.py); a
row whose outputs differ is reported, not timed. Then --reps repetitions run
the three (nnc run --time-runs, bench/ort_time.js, bench/torch_time.py),
each in its own process, in an order rotated per repetition; a cell is the
median over repetitions of the median of --runs timed runs after --warmup
untimed ones. Finished rows are kept in bench/results/compiled_vs_ort.json
and reused by later runs with the same settings and nnc binary (--fresh
discards them). The footer times the largest GEMM and convolution of the
models as one-layer .nn models and relates them to the CPU's peak.
Progress goes to stderr; the table to stdout and --out.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import bench_models  # noqa: E402
import compare  # noqa: E402 (test/fixtures/compare.py)
import export_onnx  # noqa: E402
import peak  # noqa: E402
from bench_models import ROOT  # noqa: E402

BENCH = os.path.join(ROOT, "bench")
RESULTS = os.path.join(BENCH, "results")
ORT_JS = os.path.join(BENCH, "ort_time.js")
TORCH_PY = os.path.join(BENCH, "torch_time.py")
LATENCY = re.compile(r"^latency_ms: median=([0-9.]+) min=([0-9.]+) mean=([0-9.]+) runs=(\d+)$",
                     re.MULTILINE)
FRAMEWORKS = ("nnc", "ort", "torch")


class BenchError(Exception):
    pass


def log(message):
    print(message, file=sys.stderr, flush=True)


def thread_env(threads):
    """Every thread-count knob at `threads`; OMP_WAIT_POLICY=PASSIVE keeps
    PyTorch's OpenMP threads from spinning against its BLAS threads on a
    machine this small."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NNC_NUM_THREADS"):
        env[var] = str(threads)
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


def run(cmd, threads):
    out = subprocess.run(cmd, env=thread_env(threads), capture_output=True, text=True)
    if out.returncode != 0:
        tail = "\n".join((out.stderr or out.stdout).strip().splitlines()[-5:])
        raise BenchError(f"{os.path.basename(cmd[0])} failed ({out.returncode}): {tail}")
    return out.stdout


def latency(cmd, threads):
    """The median latency (ms) that `cmd` prints."""
    stdout = run(cmd, threads)
    match = LATENCY.search(stdout)
    if not match:
        raise BenchError(f"no latency line from {' '.join(cmd[:3])}...: {stdout[:200]!r}")
    return float(match.group(1))


class Commands:
    def __init__(self, args):
        self.args = args

    def nnc(self, example, model_args, threads, extra):
        mode = ["--compiled"] if self.args.nnc_mode == "compiled" else []
        return [self.args.nnc, "run", example, *model_args, *mode,
                "--threads", str(threads), *extra]

    def nnc_model(self, m, threads, extra):
        inputs = [a for n, v in m["inputs"].items() for a in ("--input", f"{n}={v['file']}")]
        return self.nnc(m["example"], [*m["nnc_args"], "--weights", m["weights"], *inputs],
                        threads, extra)

    def ort(self, m, threads, extra):
        inputs = [a for n, v in m["inputs"].items() for a in ("--input", f"{n}={v['file']}")]
        return ["node", ORT_JS, m["onnx"], *inputs, "--threads", str(threads), *extra]

    def torch(self, m, threads, extra):
        return ["/usr/bin/python3", TORCH_PY, m["manifest"], "--threads", str(threads), *extra]

    def timing(self):
        return ["--warmup-runs", str(self.args.warmup), "--time-runs", str(self.args.runs)]


def check_outputs(cmds, m, threads, tolerance):
    """Compares nnc's outputs with PyTorch's and ONNX Runtime's; returns
    (ok, summary)."""
    with tempfile.TemporaryDirectory() as tmp:
        ours, ort = os.path.join(tmp, "nnc"), os.path.join(tmp, "ort")
        run(cmds.nnc_model(m, threads, ["--output", ours]), threads)
        run(cmds.ort(m, threads, ["--output", ort]), threads)
        ok, notes = True, []
        for name in m["outputs"]:
            actual = np.load(os.path.join(ours, name + ".npy"))
            for ref, path in (("PyTorch", m["expected"]), ("ORT", ort)):
                good, message = compare.compare(name, np.load(os.path.join(path, name + ".npy")),
                                                actual, tolerance)
                ok &= good
                notes.append(f"vs {ref} {message}")
    return ok, "; ".join(notes)


def binary_stamp(path):
    st = os.stat(path)
    return f"{int(st.st_mtime)}:{st.st_size}"


class Cache:
    """Finished rows by key, valid only for the same settings and the same
    nnc binary (stamped when the row started: others may rebuild nnc while
    the benchmark runs)."""

    def __init__(self, path, settings, nnc, fresh):
        self.path, self.settings, self.nnc = path, settings, nnc
        self.rows = {}
        if not fresh and os.path.exists(path):
            with open(path) as f:
                self.rows = json.load(f)

    def stamp(self):
        return {**self.settings, "nnc": binary_stamp(self.nnc)}

    def get(self, key):
        row = self.rows.get(key)
        return row if row and row.get("settings") == self.stamp() else None

    def put(self, key, row, stamp):
        row["settings"] = stamp
        self.rows[key] = row
        tmp = self.path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.rows, f, indent=1)
        os.replace(tmp, self.path)


def bench_row(cmds, m, threads, reps, tolerance, progress):
    ok, notes = check_outputs(cmds, m, threads, tolerance)
    if not ok:
        log(f"{progress}: OUTPUTS DIFFER, not timed: {notes}")
        return {"status": "mismatch", "message": notes}
    log(f"{progress}: outputs agree ({notes})")
    times = {fw: [] for fw in FRAMEWORKS}
    for rep in range(reps):
        order = FRAMEWORKS[rep % 3:] + FRAMEWORKS[:rep % 3]
        for fw in order:
            cmd = {"nnc": cmds.nnc_model, "ort": cmds.ort, "torch": cmds.torch}[fw]
            times[fw].append(latency(cmd(m, threads, cmds.timing()), threads))
        log(f"{progress}: rep {rep + 1}/{reps}: " +
            " ".join(f"{fw} {times[fw][-1]:.3f} ms" for fw in FRAMEWORKS))
    return {"status": "ok", "message": notes, **times}


def bench_peak(cmds, kernel, threads, reps, workdir):
    path = peak.write_model(kernel, workdir)
    ms = [latency(cmds.nnc(path, [], threads, cmds.timing()), threads) for _ in range(reps)]
    return {"status": "ok", "nnc": ms}


def geomean(values):
    return f"{float(np.exp(np.mean(np.log(values)))):.2f}" if values else "n/a"


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def versions():
    import torch
    ort = subprocess.run(["node", "-p", "require('onnxruntime-node/package.json').version"],
                         cwd=BENCH, capture_output=True, text=True).stdout.strip()
    return ort or "?", torch.__version__


def format_table(args, rows, peaks, cpu, peak_batch):
    """The Markdown report: rows are (model, threads, batch, input, row)."""
    ort_version, torch_version = versions()
    lines = [f"# nnc ({args.nnc_mode}) vs ONNX Runtime {ort_version} vs PyTorch {torch_version}",
             "",
             "| model | threads | batch | nnc ms | ORT ms | PyTorch ms | nnc/ORT | nnc/PyTorch |",
             "|---|---|---|---|---|---|---|---|"]
    ratios = {}
    for model, threads, batch, row in rows:
        if row["status"] != "ok":
            lines.append(f"| {model} | {threads} | {batch} | {row['status']} | | | | |")
            continue
        nnc, ort, pt = (statistics.median(row[fw]) for fw in FRAMEWORKS)
        ratios.setdefault(threads, []).append((nnc / ort, nnc / pt))
        lines.append(f"| {model} | {threads} | {batch} | {nnc:.3f} | {ort:.3f} | {pt:.3f} | "
                     f"{nnc / ort:.2f} | {nnc / pt:.2f} |")
    lines.append("")
    summary = []
    for threads in sorted(ratios):
        r = ratios[threads]
        summary.append(f"{threads} thread{'s' if threads > 1 else ''}: "
                       f"{geomean([a for a, _ in r])} (nnc/PyTorch {geomean([b for _, b in r])})")
    every = [x for r in ratios.values() for x in r]
    summary.append(f"overall: {geomean([a for a, _ in every])} "
                   f"(nnc/PyTorch {geomean([b for _, b in every])})")
    lines.append("Geometric mean of nnc/ORT, " + "; ".join(summary) + ".")
    lines.append("")
    for model, threads, batch, row in rows:
        if row["status"] != "ok":
            lines += [f"- {model} threads {threads} batch {batch}: {row['status']}: "
                      f"{row['message']}", ""]
    lines.append("Models: " + "; ".join(f"{m} ({bench_models.MODELS[m].note})"
                                        for m in dict.fromkeys(r[0] for r in rows)) + ".")
    lines.append(f"Each cell: the median over {args.reps} repetitions (the three run in turn, "
                 f"each in its own process, order rotated) of the median of {args.runs} timed "
                 f"runs after {args.warmup} warm-ups; ratios < 1 mean nnc is faster. Outputs "
                 f"checked first: max abs error <= {args.tolerance:g} x max(1, max |reference|). "
                 f"ORT: intra-op threads = threads, 1 inter-op thread, all graph optimisations; "
                 f"PyTorch: eager twins, eval, no_grad, torch.set_num_threads. Load average "
                 f"when the table was written: {load_average()} (anything else running skews "
                 f"the numbers, the 2-thread ones most).")
    if peaks:
        cpu_text, core_gflops = cpu
        lines += ["", f"Peak: the largest GEMM and convolution of these models at batch "
                      f"{peak_batch} (by FLOP, shapes from the PyTorch twins), each timed "
                      f"through nnc as a one-layer .nn model, against {cpu_text}.", "",
                  "| kernel | from | threads | FLOP | nnc ms | GFLOP/s | % of peak GFLOP/s |",
                  "|---|---|---|---|---|---|---|"]
        for kernel, threads, row in peaks:
            if row["status"] != "ok":
                lines.append(f"| {kernel.label} | {kernel.origin} | {threads} | | "
                             f"{row['status']}: {row['message']} | | |")
                continue
            ms = statistics.median(row["nnc"])
            gflops = kernel.flops / ms / 1e6
            top = core_gflops * threads
            lines.append(f"| {kernel.label} | {kernel.origin} | {threads} | "
                         f"{kernel.flops / 1e6:.1f} M | {ms:.3f} | {gflops:.1f} | "
                         f"{100 * gflops / top:.1f}% of {top:.0f} |")
    return "\n".join(lines) + "\n"


def parse_list(text, cast, known=None, what=""):
    items = [cast(x) for x in text.split(",") if x.strip()]
    if known is not None:
        unknown = [x for x in items if x not in known]
        if unknown:
            raise SystemExit(f"unknown {what} {', '.join(map(str, unknown))}; known: "
                             f"{', '.join(known)}")
    return items


def preflight(args):
    if not os.access(args.nnc, os.X_OK):
        raise SystemExit(f"no nnc at {args.nnc} (build it: ninja -C build nnc)")
    if args.nnc_mode == "compiled":
        help_text = subprocess.run([args.nnc, "run", "--help"], capture_output=True,
                                   text=True).stdout
        if "-compiled" not in help_text:
            raise SystemExit(f"{args.nnc} run has no --compiled yet; use --nnc-mode executor")
    if not os.path.exists(os.path.join(BENCH, "node_modules", "onnxruntime-node")):
        raise SystemExit("onnxruntime-node is missing: run scripts/setup-bench.sh")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(bench_models.MODELS),
                        help="comma-separated (default: all of bench_models.py)")
    parser.add_argument("--threads", default="1,2", help="thread counts (default 1,2)")
    parser.add_argument("--batches", default="1,32", help="batch sizes (default 1,32)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per measurement")
    parser.add_argument("--warmup", type=int, default=3, help="untimed runs before them")
    parser.add_argument("--reps", type=int, default=3, help="interleaved repetitions")
    parser.add_argument("--nnc-mode", choices=("compiled", "executor"), default="compiled")
    parser.add_argument("--nnc", default=os.path.join(ROOT, "build", "bin", "nnc"))
    parser.add_argument("--tolerance", type=float, default=1e-4,
                        help="relative to max(1, max |reference|) (default 1e-4)")
    parser.add_argument("--fma-units", type=int, default=2,
                        help="FMA units per core assumed for the peak (default 2)")
    parser.add_argument("--no-peak", action="store_true", help="skip the peak footer")
    parser.add_argument("--fresh", action="store_true", help="ignore cached rows")
    parser.add_argument("--out", default=os.path.join(RESULTS, "compiled_vs_ort.md"),
                        help="where the table goes (default bench/results/compiled_vs_ort.md)")
    args = parser.parse_args()
    models = parse_list(args.models, str, bench_models.MODELS, "model(s)")
    threads_list = parse_list(args.threads, int)
    batches = parse_list(args.batches, int)
    if min(threads_list + batches + [args.runs, args.reps]) < 1 or args.warmup < 0:
        parser.error("threads, batches, --runs and --reps must be >= 1, --warmup >= 0")
    preflight(args)

    os.makedirs(RESULTS, exist_ok=True)
    settings = {"mode": args.nnc_mode, "runs": args.runs, "warmup": args.warmup,
                "reps": args.reps, "tolerance": args.tolerance}
    cache = Cache(os.path.join(RESULTS, "compiled_vs_ort.json"), settings, args.nnc, args.fresh)
    cmds = Commands(args)
    rows, total = [], len(models) * len(batches) * len(threads_list)
    for batch in batches:
        workdir = os.path.join(RESULTS, "work", f"b{batch}")
        os.makedirs(workdir, exist_ok=True)
        for model in models:
            keys = {t: f"{model}/t{t}/b{batch}" for t in threads_list}
            manifest = None
            for threads in threads_list:
                progress = f"[{len(rows) + 1}/{total}] {model} threads {threads} batch {batch}"
                row = cache.get(keys[threads])
                if row:
                    log(f"{progress}: cached")
                else:
                    if manifest is None:
                        manifest = export_onnx.export(model, batch, workdir)
                        manifest["manifest"] = os.path.join(workdir, model + ".json")
                    try:
                        stamp = cache.stamp()
                        row = bench_row(cmds, manifest, threads, args.reps, args.tolerance,
                                        progress)
                        cache.put(keys[threads], row, stamp)
                    except BenchError as e:
                        log(f"{progress}: ERROR {e}")
                        row = {"status": "error", "message": str(e)}
                rows.append((model, threads, batch, row))

    peaks, cpu = [], None
    if not args.no_peak:
        cpu = peak.cpu_peak(args.fma_units)
        kernels = [k for k in peak.largest_kernels(models, max(batches)) if k]
        with tempfile.TemporaryDirectory() as tmp:
            for kernel in kernels:
                for threads in threads_list:
                    key = f"peak/{kernel.kind}/{kernel.label}/t{threads}"
                    row = cache.get(key)
                    if not row:
                        try:
                            stamp = cache.stamp()
                            row = bench_peak(cmds, kernel, threads, args.reps, tmp)
                            cache.put(key, row, stamp)
                        except BenchError as e:
                            row = {"status": "error", "message": str(e)}
                    log(f"peak {kernel.kind} {kernel.label} threads {threads}: "
                        + (" ".join(f"{t:.3f}" for t in row["nnc"]) + " ms"
                           if row["status"] == "ok" else row["message"]))
                    peaks.append((kernel, threads, row))

    table = format_table(args, rows, peaks, cpu, max(batches))
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(table)
    os.replace(tmp, args.out)
    print(table)


if __name__ == "__main__":
    main()
