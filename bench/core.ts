/**
 * `npm run bench -- core`: Crucible's float64 core against TF.js on its WebAssembly backend, training
 * the same MLP (same initial weights, same data, same batches, plain SGD, MSE) for the same number of
 * steps in one run; then Crucible's step as `fit` takes it (the fused MLP pass) against the same step
 * on the tape; then Crucible's heap over 10,000 training steps.
 *
 * Timing is wall clock over whole training steps (forward, loss, backward, update), after one untimed
 * round of each framework (warm-up). Rounds alternate between the two frameworks so both see the
 * same machine load; the table shows each one's best round and the mean of all rounds.
 */
import { cpus, loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Mlp } from '../src/nn/mlp.js';
import { mse } from '../src/nn/losses.js';
import { Sgd } from '../src/nn/sgd.js';
import { lossGradient } from '../src/nn/loss-gradient.js';
import { backward, noGrad } from '../src/tensor/autodiff.js';
import { Rng } from '../src/tensor/rng.js';
import { Tensor } from '../src/tensor/tensor.js';
import { matmul } from '../src/tensor/ops/matmul.js';
import { wasmKernels } from '../src/tensor/kernels/wasm.js';
import { sharedPool, startGemmThreads } from '../src/tensor/kernels/gemm.js';

type Tf = typeof import('@tensorflow/tfjs');

interface Case {
  label: string;
  widths: number[];
  batch: number;
  /** Steps per round and framework; each framework first takes one such round untimed (warm-up). */
  steps: number;
  /** Timed rounds per framework. */
  rounds: number;
}

const CASES: Case[] = [
  { label: '(a) 8→64→64→4 tanh, batch 64', widths: [8, 64, 64, 4], batch: 64, steps: 2000, rounds: 5 },
  { label: '(b) 32→256→256→8 tanh, batch 512', widths: [32, 256, 256, 8], batch: 512, steps: 40, rounds: 3 },
];
const LEARNING_RATE = 0.01;
const BATCHES = 4;
const HEAP_STEPS = 10_000;

/**
 * Floating-point operations of one training step, counting only the matrix products (2·m·n·k each):
 * per layer the forward product and the weight gradient, and the input gradient for every layer but
 * the first (the data needs none): 2·B·(3·Σ in·out − in₀·out₀).
 */
function flopsPerStep(widths: number[], batch: number): number {
  let sum = 0;
  for (let l = 0; l + 1 < widths.length; l++) sum += widths[l] * widths[l + 1];
  return 2 * batch * (3 * sum - widths[0] * widths[1]);
}

/** Inputs U(−1, 1) and smooth targets sin(x·P), cut into BATCHES minibatches. */
function dataset(widths: number[], batch: number): { xs: Tensor[]; ys: Tensor[] } {
  const rng = new Rng(2026);
  const inputs = widths[0];
  const outputs = widths[widths.length - 1];
  const projection = Tensor.randn(inputs, outputs, rng, { scale: 1 / Math.sqrt(inputs) });
  const xs: Tensor[] = [];
  const ys: Tensor[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const x = Tensor.rand(batch, inputs, rng, { lo: -1, hi: 1 });
    xs.push(x);
    const y = matmul(x, projection);
    for (let i = 0; i < y.size; i++) y.data[i] = Math.sin(y.data[i]);
    ys.push(y);
  }
  return { xs, ys };
}

interface Trainer {
  step(i: number): void;
  loss(): number;
}

/** Crucible's training step as `fit` takes it (`lossGradient`: the fused MLP pass), or on the tape. */
function crucibleTrainer(c: Case, xs: Tensor[], ys: Tensor[], way: 'fit' | 'tape' = 'fit'): { trainer: Trainer; model: Mlp } {
  const model = new Mlp({ widths: c.widths, activation: 'tanh', seed: 1 });
  const optimizer = new Sgd(model.parameters, { lr: LEARNING_RATE });
  const trainer: Trainer = {
    step(i) {
      const b = i % BATCHES;
      model.parameters.zeroGrad();
      if (way === 'fit') lossGradient(model, mse, xs[b], ys[b]);
      else backward(mse(model.forward(xs[b]), ys[b]));
      optimizer.step();
    },
    loss() {
      return noGrad(() => xs.reduce((s, x, b) => s + mse(model.forward(x), ys[b]).item(), 0) / BATCHES);
    },
  };
  return { trainer, model };
}

function tfTrainer(tf: Tf, c: Case, model: Mlp, xs: Tensor[], ys: Tensor[]): Trainer {
  const net = tf.sequential();
  const weights: import('@tensorflow/tfjs').Tensor[] = [];
  model.layers.forEach((layer, l) => {
    const last = l === model.layers.length - 1;
    net.add(tf.layers.dense({ units: layer.outputSize, inputShape: l === 0 ? [layer.inputSize] : undefined, activation: last ? 'linear' : 'tanh' }));
    weights.push(tf.tensor2d(Float32Array.from(layer.weight.data), [layer.inputSize, layer.outputSize]));
    weights.push(tf.tensor1d(Float32Array.from(layer.bias.data)));
  });
  net.setWeights(weights); // the same initial weights as Crucible's model
  const toTf = (t: Tensor) => tf.tensor2d(Float32Array.from(t.data), [t.rows, t.cols]);
  const txs = xs.map(toTf);
  const tys = ys.map(toTf);
  const optimizer = tf.train.sgd(LEARNING_RATE);
  const lossOf = (b: number) => tf.losses.meanSquaredError(tys[b], net.apply(txs[b]) as import('@tensorflow/tfjs').Tensor) as import('@tensorflow/tfjs').Scalar;
  return {
    step(i) {
      optimizer.minimize(() => lossOf(i % BATCHES), false);
    },
    loss() {
      return tf.tidy(() => txs.reduce((s, _x, b) => s + lossOf(b).dataSync()[0], 0)) / BATCHES;
    },
  };
}

function timeSteps(trainer: Trainer, from: number, steps: number): number {
  const t0 = performance.now();
  for (let i = from; i < from + steps; i++) trainer.step(i);
  return (performance.now() - t0) / 1000;
}

async function loadTf(): Promise<{ tf: Tf; backend: string }> {
  const tf = await import('@tensorflow/tfjs');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In Node the wasm backend must be told where its .wasm files are: the package's dist folder.
  const require = createRequire(import.meta.url);
  wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + '/');
  await tf.setBackend('wasm');
  await tf.ready();
  const simd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
  const threads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
  return { tf, backend: `${tf.getBackend()} (SIMD ${simd ? 'on' : 'off'}, threads ${threads ? 'on' : 'off'}), float32` };
}

const fmt = (x: number, digits = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export async function run(): Promise<void> {
  const { tf, backend } = await loadTf();
  const cpu = cpus();
  console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? '?'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const helper = await startGemmThreads();
  console.log(
    `Crucible: float64, kernels ${wasmKernels ? 'WebAssembly SIMD (f64x2)' : 'TypeScript (no build/kernels.wasm)'}, ` +
      `threads ${helper ? '2 (products ≥ 2^20 multiply-adds; layers of 2^15–2^20 while the helper keeps up and timing shows it pays)' : '1'}`,
  );
  console.log(`TF.js ${tf.version.tfjs}: backend ${backend}`);
  console.log('FLOPs per step = 2·B·(3·Σ in·out − in₀·out₀): forward, weight-gradient and input-gradient products (2·m·n·k each), no input gradient for the first layer; elementwise work not counted.');
  console.log(`Same initial weights, same ${BATCHES} minibatches in turn, SGD lr ${LEARNING_RATE}, MSE; each framework first takes one untimed round (warm-up); timing is wall clock, rounds alternate TF.js / Crucible.\n`);

  const helperShare: string[] = [];
  const roundTimes: string[] = [];
  const rows: string[][] = [['case', 'steps', 'TF.js samples/s', 'Crucible samples/s', 'ratio', 'TF.js GFLOP/s', 'Crucible GFLOP/s', 'ratio (mean of rounds)', 'loss TF.js / Crucible']];
  for (const c of CASES) {
    const { xs, ys } = dataset(c.widths, c.batch);
    const { trainer: crucible, model } = crucibleTrainer(c, xs, ys);
    const tfjs = tfTrainer(tf, c, model, xs, ys);
    // A whole round each, untimed: with a tenth of one, Crucible's first timed round of (a) was still
    // 1.4–1.7× its later ones (JIT tiers on both threads; the first thread-payoff probes).
    const warmup = c.steps;
    timeSteps(tfjs, 0, warmup);
    timeSteps(crucible, 0, warmup);
    let step = warmup;
    const tfTimes: number[] = [];
    const crTimes: number[] = [];
    const helperBefore = sharedPool()?.helperChunks() ?? 0;
    const abandonedBefore = sharedPool()?.abandoned() ?? 0;
    for (let r = 0; r < c.rounds; r++) {
      tfTimes.push(timeSteps(tfjs, step, c.steps));
      crTimes.push(timeSteps(crucible, step, c.steps));
      step += c.steps;
    }
    const perStep = (times: number[]): string => times.map((t) => fmt((t / c.steps) * 1e6, 1)).join(', ');
    roundTimes.push(`  ${c.label.split(' ')[0]} TF.js ${perStep(tfTimes)}; Crucible ${perStep(crTimes)}`);
    const givenUp = (sharedPool()?.abandoned() ?? 0) - abandonedBefore;
    helperShare.push(`${c.label.split(' ')[0]} ${fmt((sharedPool()?.helperChunks() ?? 0) - helperBefore)} (${fmt(givenUp)} two-thread passes given up on a late helper)`);
    const samples = c.steps * c.batch;
    const tfBest = samples / Math.min(...tfTimes);
    const crBest = samples / Math.min(...crTimes);
    const meanRatio = tfTimes.reduce((s, t) => s + t, 0) / crTimes.reduce((s, t) => s + t, 0);
    const flops = flopsPerStep(c.widths, c.batch);
    rows.push([
      c.label,
      `${fmt(step)}`,
      fmt(tfBest),
      fmt(crBest),
      `${fmt(crBest / tfBest, 1)}×`,
      fmt((tfBest / c.batch) * flops / 1e9, 2),
      fmt((crBest / c.batch) * flops / 1e9, 2),
      `${fmt(meanRatio, 1)}×`,
      `${tfjs.loss().toExponential(3)} / ${crucible.loss().toExponential(3)}`,
    ]);
  }
  printTable(rows);
  console.log('samples/s and GFLOP/s: best of the rounds; "steps": training steps each framework took (warm-up included).');
  console.log(`µs per step, round by round:\n${roundTimes.join('\n')}`);
  console.log(`chunks the helper thread computed in the timed rounds: ${helperShare.join(', ')}`);
  fusedAgainstTape();
  heapOverSteps();
  console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

/**
 * Crucible's step as `fit` takes it (the fused MLP pass) against the same step on the tape, rounds
 * alternating, from the same weights: µs per step (best and median round) and whether the weights
 * stayed bit-identical.
 */
function fusedAgainstTape(): void {
  console.log('\nfused MLP pass (fit\'s step) against the tape, same weights, rounds alternate (µs per step: best / median of 9 rounds):');
  for (const c of CASES) {
    const { xs, ys } = dataset(c.widths, c.batch);
    const fused = crucibleTrainer(c, xs, ys, 'fit');
    const tape = crucibleTrainer(c, xs, ys, 'tape');
    const steps = Math.max(10, Math.round(c.steps / 2));
    const times = { fused: [] as number[], tape: [] as number[] };
    let step = 0;
    for (let r = 0; r < 10; r++) {
      const f = timeSteps(fused.trainer, step, steps);
      const t = timeSteps(tape.trainer, step, steps);
      step += steps;
      if (r === 0) continue; // warm-up
      times.fused.push((f / steps) * 1e6);
      times.tape.push((t / steps) * 1e6);
    }
    const med = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
    const a = fused.model.parameters.values;
    const same = tape.model.parameters.values.every((v, i) => Object.is(v, a[i]));
    console.log(
      `  ${c.label.split(' ')[0]}: fused ${fmt(Math.min(...times.fused), 1)} / ${fmt(med(times.fused), 1)}, tape ${fmt(Math.min(...times.tape), 1)} / ${fmt(med(times.tape), 1)}; ` +
        `tape / fused ${fmt(Math.min(...times.tape) / Math.min(...times.fused), 2)}× (median ${fmt(med(times.tape) / med(times.fused), 2)}×); weights after ${fmt(step)} steps ${same ? 'bit-identical' : 'DIFFER'}`,
    );
  }
}

/** Crucible's heap after a full GC every 1,000 steps of case (a): flat means no leak per step. */
function heapOverSteps(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const c = CASES[0];
  const { xs, ys } = dataset(c.widths, c.batch);
  const { trainer } = crucibleTrainer(c, xs, ys);
  timeSteps(trainer, 0, 200);
  const samples: number[] = [];
  const measure = (): void => {
    gc();
    gc();
    samples.push(process.memoryUsage().heapUsed);
  };
  measure();
  const external0 = process.memoryUsage().external;
  for (let s = 0; s < HEAP_STEPS; s += 1000) {
    timeSteps(trainer, 200 + s, 1000);
    measure();
  }
  const mb = (b: number): string => (b / 2 ** 20).toFixed(2);
  const growth = samples[samples.length - 1] - samples[0];
  console.log(`\nheap over ${fmt(HEAP_STEPS)} training steps of ${c.label} (heapUsed after GC, every 1,000 steps, MiB):`);
  console.log(`  ${samples.map(mb).join(' ')}`);
  console.log(
    `  growth ${mb(growth)} MiB (${(growth / HEAP_STEPS).toFixed(1)} bytes/step), range ${mb(Math.max(...samples) - Math.min(...samples))} MiB; ` +
      `external memory (incl. wasm) ${mb(external0)} → ${mb(process.memoryUsage().external)} MiB`,
  );
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}
