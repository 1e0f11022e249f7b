#!/usr/bin/python3
"""Times `nnc train` against PyTorch training the same models on the same
data, in the same order, and writes a table.

usage: bench/train_vs_torch.py [--nnc build/bin/nnc] [--models lenet,resnet18,lstm_classifier]
                               [--threads 1,2] [--batch 32] [--samples 6400]
                               [--epochs 1] [--passes 3] [--out bench/results/train.md]

Models (their PyTorch twins come from test/fixtures, so the architectures
are the same; the initial weights are not, which timing does not care about):
  lenet            examples/lenet.nn -D c1=32 -D c2=64      Fashion-MNIST
  resnet18         examples/resnet.nn -D in_channels=1 -D image_size=28
                                                            Fashion-MNIST
  lstm_classifier  examples/lstm_classifier.nn              a synthetic sequence
                   task (token ids [N, 32], vocab 1000, 4 classes: the marker
                   group that occurs most often), generated deterministically

Both peers train on a dataset directory this script writes
({train,test}_{inputs,targets}.npy, the format `nnc train --data DIR` reads):
the first --samples training samples. nnc runs with --val-fraction 0 (every
sample is trained on), Adam lr 1e-3 with a constant schedule, cross-entropy
and --batch-size; PyTorch uses torch.optim.Adam(lr=1e-3) and
CrossEntropyLoss with the same batch size, and visits the samples in nnc's
order: nnc shuffles each epoch with its own seeded permutation
(runtime/train/Data.cpp: Fisher-Yates over a Philox4x64-10 stream keyed
(seed, epoch)), which `nnc_permutation` below reproduces. At start-up the
script checks its Philox4x64-10 against the Random123 known-answer vectors
and its permutation against nnc itself (`check_order`: a probe model whose
trained weights reveal the order in which nnc visited the samples).

The time of an epoch is the training loop only: nnc's "seconds" field of
DIR/metrics.jsonl (batch assembly, the compiled training step, the
optimiser and the running metrics; no validation, checkpoint or test
evaluation) and, for PyTorch, the same loop timed with perf_counter (index
the batch, forward, loss, backward, Adam step, running loss and accuracy).
An epoch here is --samples samples, not the whole dataset; the table says
how many.

For every (model, threads) the two peers run in turn, each in its own
process with OMP/OpenBLAS/MKL/NNC thread counts set (and OMP_WAIT_POLICY=
PASSIVE, so PyTorch's OpenMP threads do not spin against OpenBLAS; nnc also
gets --threads); the table shows the median over --passes interleaved passes
(who goes first alternates) with the spread (half the range). A model whose
nnc run fails (e.g. a layer without a gradient rule yet) is skipped with the
reason. Progress goes to stderr.
"""

import argparse
import gzip
import json
import math
import os
import pickle
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "test", "fixtures")
sys.path.insert(0, FIXTURES)

import numpy as np  # noqa: E402
import torch  # noqa: E402

import safetensors_io  # noqa: E402

# name -> (example, -D defines, dataset)
MODELS = {
    "lenet": ("examples/lenet.nn", ["c1=32", "c2=64"], "fashion-mnist"),
    "resnet18": ("examples/resnet.nn", ["in_channels=1", "image_size=28"], "fashion-mnist"),
    "lstm_classifier": ("examples/lstm_classifier.nn", [], "sequences"),
}
ALIASES = {"resnet": "resnet18", "lstm": "lstm_classifier"}

SEED = 0  # nnc train --seed: initialisation and data order
LR = 1e-3
TEST_SAMPLES = 1000  # size of the test split written (only --test-limit of it is used)
TEST_LIMIT = 64  # nnc evaluates the test split after training; keep it short

# ---------------------------------------------------------------------------
# nnc's data order: Philox4x64-10 and the seeded Fisher-Yates permutation.

MASK64 = (1 << 64) - 1
PHILOX_MUL = (0xD2E7470EE14C6C93, 0xCA5A826395121157)
PHILOX_WEYL = (0x9E3779B97F4A7C15, 0xBB67AE8584CAA73B)

# Random123 (Salmon et al., SC'11) kat_vectors, philox4x64 with 10 rounds:
# (counter, key, expected output).
PHILOX_KAT = [
    ((0, 0, 0, 0), (0, 0),
     (0x16554d9eca36314c, 0xdb20fe9d672d0fdc, 0xd7e772cee186176b, 0x7e68b68aec7ba23b)),
    ((MASK64,) * 4, (MASK64,) * 2,
     (0x87b092c3013fe90b, 0x438c3c67be8d0224, 0x9cc7d7c69cd777b6, 0xa09caebf594f0ba0)),
    ((0x243f6a8885a308d3, 0x13198a2e03707344, 0xa4093822299f31d0, 0x082efa98ec4e6c89),
     (0x452821e638d01377, 0xbe5466cf34e90c6c),
     (0xa528f45403e61d95, 0x38c72dbd566e9788, 0xa5a1610e72fd18b5, 0x57bd43b5e52b7fe6)),
]


def philox4x64(ctr, key):
    """One Philox4x64-10 block, as runtime/kernels/Random.cpp computes it."""
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for r in range(10):
        if r:
            k0, k1 = (k0 + PHILOX_WEYL[0]) & MASK64, (k1 + PHILOX_WEYL[1]) & MASK64
        p0, p1 = PHILOX_MUL[0] * c0, PHILOX_MUL[1] * c2
        c0, c1, c2, c3 = ((p1 >> 64) ^ c1 ^ k0, p1 & MASK64, (p0 >> 64) ^ c3 ^ k1,
                          p0 & MASK64)
    return c0, c1, c2, c3


def philox_words(count, seed, stream):
    """The first `count` words of nnc's RandomStream(seed, stream): blocks with
    counters {0,0,0,0}, {1,0,0,0}, ... under key (seed, stream), four words
    each. NumPy's Philox (also 4x64-10) increments its 256-bit counter before
    each block, so starting from all ones it yields blocks 0, 1, 2, ..."""
    blocks = (count + 3) // 4
    # (uint64 arrays: a list mixing small and large ints would go through
    # float64 and lose the low bits.)
    gen = np.random.Philox(counter=np.full(4, MASK64, dtype=np.uint64),
                           key=np.array([seed & MASK64, stream & MASK64], dtype=np.uint64))
    return gen.random_raw(4 * blocks)[:count]


def nnc_permutation(n, seed, stream):
    """train::permutation (runtime/train/Data.cpp): Fisher-Yates from the top,
    swapping i with below(i + 1), below(m) = (next() * m) >> 64."""
    order = list(range(n))
    words = philox_words(max(n - 1, 0), seed, stream).tolist()
    for k, i in enumerate(range(n - 1, 0, -1)):
        j = (words[k] * (i + 1)) >> 64
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


def nnc_split(n, fraction, seed):
    """train::splitValidation: (training rows, validation rows), both sorted."""
    num_val = min(max(math.floor(fraction * n + 0.5), 0), n)  # std::llround
    order = nnc_permutation(n, seed, MASK64)
    return np.sort(order[num_val:]), np.sort(order[:num_val])


def check_philox():
    for ctr, key, expected in PHILOX_KAT:
        if philox4x64(ctr, key) != expected:
            raise SystemExit(f"Philox4x64-10 known-answer test failed for {ctr}, {key}")
        # NumPy's generator from counter - 1 (mod 2^256) gives this block first.
        value = sum(c << (64 * i) for i, c in enumerate(ctr))
        before = (value - 1) % (1 << 256)
        gen = np.random.Philox(
            counter=np.array([(before >> (64 * i)) & MASK64 for i in range(4)], dtype=np.uint64),
            key=np.array(key, dtype=np.uint64))
        if tuple(int(w) for w in gen.random_raw(4)) != expected:
            raise SystemExit(f"NumPy's Philox disagrees with the known answer for {ctr}, {key}")
    # The stream: NumPy's words are the blocks {c, 0, 0, 0} in order.
    words = philox_words(12, 3, 5).tolist()
    if words != [w for c in range(3) for w in philox4x64((c, 0, 0, 0), (3, 5))]:
        raise SystemExit("philox_words does not follow nnc's counter order")


PROBE_MODEL = """\
model order_probe(n: int = 48) {
  input tokens: i64[B, 1]
  output logits: f32[B, n] = flatten(embedding(tokens, n, n) as rows)
}
"""


def check_order(nnc, workdir, seeds=(0, 7), n=48, val_fraction=0.25):
    """Checks nnc_split/nnc_permutation against nnc itself. The probe model's
    logits for sample i are row i of an embedding table; sample i is token
    i. With batch size 1 and SGD with momentum 0.9 (dense buffers, constant
    lr), row i is only ever hit by its own sample's gradient g_i, at step
    s_i, and keeps moving with the decaying momentum afterwards: its
    displacement over the epoch is -lr * g_i * (1 + 0.9 + ... + 0.9^(S-1-s_i))
    for S steps. g_i depends only on the initial row (the weights of an
    lr 0 run with the same seed), so the displacement factor gives each
    sample's step, and rows that do not move are the validation samples."""
    os.makedirs(workdir, exist_ok=True)
    probe = os.path.join(workdir, "order_probe.nn")
    with open(probe, "w") as f:
        f.write(PROBE_MODEL)
    data = os.path.join(workdir, "data")
    os.makedirs(data, exist_ok=True)
    np.save(os.path.join(data, "train_inputs.npy"), np.arange(n, dtype=np.int64).reshape(n, 1))
    np.save(os.path.join(data, "train_targets.npy"), np.arange(n, dtype=np.int64))
    lr = 0.1
    for seed in seeds:
        weights = []
        for rate in (0, lr):
            out = os.path.join(workdir, f"seed{seed}_lr{rate}")
            cmd = [nnc, "train", probe, "-D", f"n={n}", "--data", data, "--out", out,
                   "--epochs", "1", "--batch-size", "1", "--optimizer", "sgd",
                   "--momentum", "0.9", "--lr", str(rate), "--schedule", "constant",
                   "--val-fraction", str(val_fraction), "--seed", str(seed), "--threads", "1"]
            run = subprocess.run(cmd, capture_output=True, text=True, env=thread_env(1))
            if run.returncode:
                raise SystemExit("order check: nnc train failed:\n" + run.stderr[-2000:])
            weights.append(safetensors_io.load(os.path.join(out, "weights.safetensors"))
                           ["rows.weight"].astype(np.float64))
        w0, w1 = weights
        moved = np.abs(w1 - w0).max(axis=1) > 0
        train_rows, val_rows = nnc_split(n, val_fraction, seed)
        if not np.array_equal(np.flatnonzero(~moved), val_rows):
            raise SystemExit(f"order check (seed {seed}): nnc's validation rows "
                             f"{np.flatnonzero(~moved).tolist()} != {val_rows.tolist()}")
        p = np.exp(w0 - w0.max(axis=1, keepdims=True))
        g = p / p.sum(axis=1, keepdims=True) - np.eye(n)
        factor = -((w1 - w0) * g).sum(axis=1) / (lr * (g * g).sum(axis=1))
        steps = len(train_rows)
        observed = train_rows[np.argsort(-factor[train_rows], kind="stable")]
        expected = train_rows[nnc_permutation(steps, seed, 0)]
        if not np.array_equal(observed, expected):
            raise SystemExit(f"order check (seed {seed}): nnc visited {observed.tolist()}, "
                             f"the Python reproduction says {expected.tolist()}")
        # And the factors are the momentum sums themselves.
        want = (1 - 0.9 ** (steps - np.arange(steps))) / 0.1
        got = factor[expected]
        if not np.allclose(got, want, rtol=1e-3):
            raise SystemExit(f"order check (seed {seed}): momentum sums {got} != {want}")
    print(f"order check: nnc's shuffle and validation split match the Python "
          f"reproduction (seeds {list(seeds)}, {n} samples)", file=sys.stderr)


# ---------------------------------------------------------------------------
# Datasets, written as nnc dataset directories.

def read_idx(path):
    with gzip.open(path, "rb") as f:
        blob = f.read()
    dims = blob[3]
    shape = [int.from_bytes(blob[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(blob, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def write_dataset(path, train_x, train_y, test_x, test_y):
    os.makedirs(path, exist_ok=True)
    for name, array in (("train_inputs", train_x), ("train_targets", train_y),
                        ("test_inputs", test_x), ("test_targets", test_y)):
        np.save(os.path.join(path, name + ".npy"), np.ascontiguousarray(array))


def fashion_mnist(path, samples, source):
    """The first `samples` training images as float32 [N, 1, 28, 28] in [0, 1]
    (x / 255, as nnc's own loader) and int64 labels."""
    def split(prefix, n):
        images = read_idx(os.path.join(source, f"{prefix}-images-idx3-ubyte.gz"))[:n]
        labels = read_idx(os.path.join(source, f"{prefix}-labels-idx1-ubyte.gz"))[:n]
        x = (images.astype(np.float32) / np.float32(255)).reshape(-1, 1, 28, 28)
        return x, labels.astype(np.int64)
    train_x, train_y = split("train", samples)
    if len(train_x) < samples:
        raise SystemExit(f"Fashion-MNIST has only {len(train_x)} training images")
    write_dataset(path, train_x, train_y, *split("t10k", TEST_SAMPLES))


def marker_sequences(n, rng, seq_len=32, vocab=1000, classes=4, group=8):
    """A learnable sequence task: tokens 1 + group*k ... group*(k+1) are the
    markers of class k, the rest of the vocabulary (above the markers) is
    noise, 0 is padding. A sequence has a random length in [seq_len - 12,
    seq_len] (trailing padding) and a few markers of every class; its class's
    markers occur strictly most often."""
    noise_low = 1 + group * classes
    x = np.zeros((n, seq_len), dtype=np.int64)
    y = rng.integers(0, classes, size=n).astype(np.int64)
    for i in range(n):
        length = int(rng.integers(seq_len - 12, seq_len + 1))
        counts = rng.integers(0, 4, size=classes)
        counts[y[i]] = counts[np.arange(classes) != y[i]].max() + rng.integers(1, 3)
        seq = rng.integers(noise_low, vocab, size=length)
        positions = rng.permutation(length)[:counts.sum()]
        markers = np.repeat(np.arange(classes), counts)
        seq[positions] = 1 + group * markers + rng.integers(0, group, size=len(markers))
        x[i, :length] = seq
    return x, y


def sequences(path, samples):
    rng = np.random.default_rng(20240601)
    train_x, train_y = marker_sequences(samples, rng)
    test_x, test_y = marker_sequences(TEST_SAMPLES, rng)
    write_dataset(path, train_x, train_y, test_x, test_y)


# ---------------------------------------------------------------------------
# The two peers.

def thread_env(threads):
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                "NNC_NUM_THREADS"):
        env[var] = str(threads)
    env["OMP_WAIT_POLICY"] = "PASSIVE"
    return env


class NncFailed(Exception):
    pass


def time_nnc(nnc, example, defines, data, batch, epochs, threads, out):
    """Seconds per epoch (mean over the epochs) from nnc's metrics.jsonl."""
    cmd = [nnc, "train", example, *[a for d in defines for a in ("-D", d)],
           "--data", data, "--out", out, "--epochs", str(epochs),
           "--batch-size", str(batch), "--optimizer", "adam", "--lr", str(LR),
           "--schedule", "constant", "--loss", "cross_entropy", "--val-fraction", "0",
           "--seed", str(SEED), "--test-limit", str(TEST_LIMIT), "--threads", str(threads)]
    run = subprocess.run(cmd, env=thread_env(threads), capture_output=True, text=True)
    if run.returncode:
        lines = [l for l in run.stderr.splitlines() if "error" in l] or run.stderr.splitlines()
        raise NncFailed(lines[-1].strip() if lines else f"exit status {run.returncode}")
    with open(os.path.join(out, "metrics.jsonl")) as f:
        metrics = [json.loads(l) for l in f if l.strip()]
    return statistics.mean(m["seconds"] for m in metrics), metrics[-1]["train_loss"]


TORCH_TRAINER = r"""
import json, pickle, sys, time
import numpy as np, torch, torch.nn.functional as F
sys.path.insert(0, sys.argv[1])
import twins
with open(sys.argv[2], "rb") as f:
    cfg = pickle.load(f)
torch.set_num_threads(cfg["threads"])
torch.manual_seed(0)
twin = twins.build(cfg["model"], twins.parse_defines(cfg["defines"]))
if cfg["model"] == "lstm_classifier":
    # The .nn model applies dropout to the concatenated final states before
    # fc; the twin (written for inference) leaves that identity out.
    p = twins.parse_defines(cfg["defines"]).get("dropout_p", 0.2)
    twin.fc.register_forward_pre_hook(lambda m, a: (F.dropout(a[0], p, m.training),))
twin.train()
x = torch.from_numpy(np.load(cfg["data"] + "/train_inputs.npy"))
y = torch.from_numpy(np.load(cfg["data"] + "/train_targets.npy"))
orders = torch.from_numpy(np.load(cfg["orders"]))
input_name = next(iter(twin.make_inputs(torch.Generator().manual_seed(0))))
opt = torch.optim.Adam(twin.parameters(), lr=cfg["lr"])
loss_fn = torch.nn.CrossEntropyLoss()
batch, n = cfg["batch"], len(y)
seconds = []
for epoch in range(cfg["epochs"]):
    order = orders[epoch]
    loss_sum, correct = 0.0, 0
    start = time.perf_counter()
    for first in range(0, n, batch):
        idx = order[first:first + batch]
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        logits = twin(**{input_name: xb})["logits"]
        loss = loss_fn(logits, yb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        loss_sum += loss.item() * len(idx)
        correct += int((logits.detach().argmax(1) == yb).sum())
    seconds.append(time.perf_counter() - start)
print(json.dumps({"seconds": sum(seconds) / len(seconds), "train_loss": loss_sum / n}))
"""


def time_torch(model, defines, data, orders, batch, epochs, threads, workdir):
    blob = os.path.join(workdir, "torch.pkl")
    with open(blob, "wb") as f:
        pickle.dump({"model": model, "defines": defines, "data": data, "orders": orders,
                     "batch": batch, "epochs": epochs, "threads": threads, "lr": LR}, f)
    run = subprocess.run(["/usr/bin/python3", "-c", TORCH_TRAINER, FIXTURES, blob],
                         env=thread_env(threads), capture_output=True, text=True)
    if run.returncode:
        raise SystemExit(f"PyTorch training of {model} failed:\n{run.stderr[-3000:]}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    return result["seconds"], result["train_loss"]


# ---------------------------------------------------------------------------

def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nnc", default=os.path.join(ROOT, "build", "bin", "nnc"))
    parser.add_argument("--models", default=",".join(MODELS),
                        help="comma-separated: " + ", ".join(MODELS) + " (or resnet, lstm)")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--samples", type=int, default=6400,
                        help="training samples per epoch (the first N of the training split)")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--fashion-mnist", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--out", default=os.path.join(ROOT, "bench", "results", "train.md"))
    args = parser.parse_args()

    models = [ALIASES.get(m, m) for m in args.models.split(",") if m]
    for m in models:
        if m not in MODELS:
            parser.error(f"unknown model '{m}' ({', '.join(MODELS)})")
    threads_list = [int(t) for t in args.threads.split(",")]

    check_philox()
    rows, skipped = [], []
    with tempfile.TemporaryDirectory(prefix="train_vs_torch.") as work:
        check_order(args.nnc, os.path.join(work, "order-check"))

        # Both peers read the same files; PyTorch gets nnc's order per epoch
        # (with --val-fraction 0 the training set is the file's rows as is).
        orders = os.path.join(work, "orders.npy")
        np.save(orders, np.stack([nnc_permutation(args.samples, SEED, e)
                                  for e in range(args.epochs)]))
        datasets = {}
        runs = 0
        for model in models:
            example, defines, dataset = MODELS[model]
            example = os.path.join(ROOT, example)
            if dataset not in datasets:
                path = os.path.join(work, dataset)
                if dataset == "fashion-mnist":
                    fashion_mnist(path, args.samples, args.fashion_mnist)
                else:
                    sequences(path, args.samples)
                datasets[dataset] = path
            data = datasets[dataset]
            label = model + (f" ({', '.join(defines)})" if defines else "")
            try:
                for threads in threads_list:
                    ours, theirs = [], []
                    for p in range(args.passes):
                        print(f"{model} threads {threads} pass {p + 1}/{args.passes}",
                              file=sys.stderr, flush=True)
                        runs += 1
                        out = os.path.join(work, f"nnc-run{runs}")

                        def nnc_run():
                            s, loss = time_nnc(args.nnc, example, defines, data, args.batch,
                                               args.epochs, threads, out)
                            ours.append(s)
                            print(f"  nnc     {s:8.3f} s/epoch (train loss {loss:.4f})",
                                  file=sys.stderr, flush=True)

                        def torch_run():
                            s, loss = time_torch(model, defines, data, orders, args.batch,
                                                 args.epochs, threads, work)
                            theirs.append(s)
                            print(f"  PyTorch {s:8.3f} s/epoch (train loss {loss:.4f})",
                                  file=sys.stderr, flush=True)

                        for peer in ((nnc_run, torch_run) if p % 2 == 0 else
                                     (torch_run, nnc_run)):
                            peer()
                    rows.append((label, threads, ours, theirs))
            except NncFailed as e:
                print(f"{model}: skipped, nnc train failed: {e}", file=sys.stderr, flush=True)
                skipped.append((label, str(e)))

    spread = lambda xs: f"±{(max(xs) - min(xs)) / 2:.3f}"  # noqa: E731
    lines = [f"| model | threads | batch | samples/epoch | nnc s/epoch | PyTorch s/epoch "
             f"| nnc / PyTorch |",
             "|---|---|---|---|---|---|---|"]
    for label, threads, ours, theirs in rows:
        a, b = statistics.median(ours), statistics.median(theirs)
        lines.append(f"| {label} | {threads} | {args.batch} | {args.samples} | "
                     f"{a:.3f} {spread(ours)} | {b:.3f} {spread(theirs)} | {a / b:.2f} |")
    lines.append("")
    if rows:
        ratios = [statistics.median(o) / statistics.median(t) for *_, o, t in rows]
        geo = float(np.exp(np.mean(np.log(ratios))))
        lines.append(f"Geometric mean of nnc / PyTorch: {geo:.2f}")
    else:
        lines.append("No model was timed.")
    lines.append("")
    lines.append(f"An epoch is {args.samples} samples (not the full dataset), trained in "
                 f"nnc's seeded order on both sides; Adam lr {LR:g}, cross-entropy, "
                 f"{args.epochs} epoch(s) per run, the training loop only; median of "
                 f"{args.passes} interleaved passes ± half the range; torch "
                 f"{torch.__version__}.")
    for label, why in skipped:
        lines.append(f"\nSkipped {label}: nnc train failed: {why}")
    table = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(table)
    os.replace(tmp, args.out)
    print(table)


if __name__ == "__main__":
    main()
