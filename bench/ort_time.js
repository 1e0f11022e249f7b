#!/usr/bin/env node
// Times an ONNX model under ONNX Runtime (onnxruntime-node, CPU), the way
// `nnc run --time-runs` times an nnc model, for bench/compiled_vs_ort.py.
//
// usage: node bench/ort_time.js MODEL.onnx --input NAME=FILE.npy ...
//            [--threads T] [--warmup-runs W] [--time-runs N] [--output DIR]
//
// The session uses T intra-op threads, one inter-op thread (sequential
// execution) and every graph optimisation. With --time-runs it runs W
// untimed and N timed inferences on the same inputs and prints only
// `latency_ms: median=<m> min=<m> mean=<m> runs=<N>`; --output writes the
// outputs (of the last run) as DIR/NAME.npy. Needs scripts/setup-bench.sh.
'use strict';

const fs = require('fs');
const path = require('path');
const {readNpy, writeNpy} = require('./npy.js');

function usage(message) {
  process.stderr.write(`ort_time: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const args = {inputs: [], threads: 1, warmup: 1, runs: 0, output: null, model: null};
  const count = (flag, text, min) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) usage(`${flag} expects an integer >= ${min}, got '${text}'`);
    return n;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
    if (a === '--input') {
      const v = value();
      const eq = v.indexOf('=');
      if (eq <= 0 || eq === v.length - 1) usage(`--input expects NAME=FILE.npy, got '${v}'`);
      args.inputs.push([v.slice(0, eq), v.slice(eq + 1)]);
    } else if (a === '--threads') args.threads = count(a, value(), 1);
    else if (a === '--warmup-runs') args.warmup = count(a, value(), 0);
    else if (a === '--time-runs') args.runs = count(a, value(), 1);
    else if (a === '--output') args.output = value();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else if (args.model) usage(`more than one model given ('${args.model}', '${a}')`);
    else args.model = a;
  }
  if (!args.model) usage('no model given');
  return args;
}

function loadOrt() {
  try {
    return require('onnxruntime-node');
  } catch (e) {
    usage(`cannot load onnxruntime-node (run scripts/setup-bench.sh): ${e.message}`);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const ort = loadOrt();
  const session = await ort.InferenceSession.create(args.model, {
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const feeds = {};
  for (const [name, file] of args.inputs) {
    if (!session.inputNames.includes(name))
      usage(`the model has no input '${name}' (inputs: ${session.inputNames.join(', ')})`);
    const t = readNpy(file);
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length) usage(`no --input for ${missing.join(', ')}`);

  let results;
  if (args.runs === 0) {
    results = await session.run(feeds);
  } else {
    for (let r = 0; r < args.warmup; ++r) results = await session.run(feeds);
    const ms = [];
    for (let r = 0; r < args.runs; ++r) {
      const start = process.hrtime.bigint();
      results = await session.run(feeds);
      ms.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    ms.sort((a, b) => a - b);
    const n = ms.length;
    const median = n % 2 ? ms[(n - 1) / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    const mean = ms.reduce((a, b) => a + b, 0) / n;
    process.stdout.write(`latency_ms: median=${median.toFixed(4)} min=${ms[0].toFixed(4)} ` +
                         `mean=${mean.toFixed(4)} runs=${n}\n`);
  }
  if (args.output) {
    fs.mkdirSync(args.output, {recursive: true});
    for (const name of session.outputNames)
      writeNpy(path.join(args.output, `${name}.npy`), results[name]);
  }
}

main().catch((e) => {
  process.stderr.write(`ort_time: error: ${e.message}\n`);
  process.exit(1);
});
