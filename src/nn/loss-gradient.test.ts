import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backward, noGrad } from '../tensor/autodiff.js';
import { sharedPool, startGemmThreads } from '../tensor/kernels/gemm.js';
import { mlpPasses } from '../tensor/kernels/mlp-pass.js';
import { JobKind } from '../tensor/kernels/row-workers.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { lossGradient } from './loss-gradient.js';
import { mae, mse } from './losses.js';
import type { ActivationName } from './activation.js';
import { Mlp } from './mlp.js';

const wasm = process.env.CRUCIBLE_WASM !== '0';

interface Case {
  widths: number[];
  rows: number;
  activation: ActivationName;
}

// The fused pass's shapes (rows a multiple of 4, widths not) and one it hands to the tape (10 rows).
const cases: Case[] = [
  { widths: [8, 64, 64, 4], rows: 64, activation: 'tanh' },
  { widths: [5, 30, 7, 3], rows: 12, activation: 'relu' },
  { widths: [3, 17, 2], rows: 8, activation: 'tanh' },
  { widths: [6, 20, 20, 20, 5], rows: 40, activation: 'linear' },
  { widths: [4, 9, 2], rows: 10, activation: 'tanh' },
];

function data(c: Case, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  return { x: Tensor.rand(c.rows, c.widths[0], rng, { lo: -1, hi: 1 }), y: Tensor.rand(c.rows, c.widths.at(-1)!, rng, { lo: -1, hi: 1 }) };
}

/** `steps` SGD steps on the tape and by lossGradient from the same start: every loss and gradient bit must agree. */
function assertSameAsTape(c: Case, steps: number): void {
  const { x, y } = data(c, 3);
  const tape = new Mlp({ widths: c.widths, activation: c.activation, seed: 1 });
  const fused = new Mlp({ widths: c.widths, activation: c.activation, seed: 1 });
  for (let s = 0; s < steps; s++) {
    tape.parameters.zeroGrad();
    fused.parameters.zeroGrad();
    const l = mse(tape.forward(x), y);
    backward(l);
    const value = lossGradient(fused, mse, x, y);
    const label = `${c.widths.join('→')} ${c.activation}, ${c.rows} rows, step ${s}`;
    assert.ok(Object.is(value, l.item()), `${label}: loss ${value} vs the tape's ${l.item()}`);
    const a = tape.parameters.grads;
    const b = fused.parameters.grads;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) assert.fail(`${label}: gradient ${i} is ${b[i]}, the tape's ${a[i]}`);
    for (const p of [tape.parameters, fused.parameters]) for (let i = 0; i < p.count; i++) p.values[i] -= 0.05 * p.grads[i];
  }
}

test('lossGradient gives the tape’s loss and gradients to the bit, on one thread', () => {
  const before = mlpPasses();
  for (const c of cases) assertSameAsTape(c, 40);
  // All but the 10-row case take the fused pass (when the kernels are built).
  if (wasm) assert.equal(mlpPasses() - before, 4 * 40);
});

test('lossGradient gives the tape’s bits when the helper thread computes some of the rows and sums', { skip: wasm ? false : 'CRUCIBLE_WASM=0' }, async () => {
  assert.equal(await startGemmThreads(), true, 'the helper thread should start on a machine with 2 CPUs');
  const pool = sharedPool()!;
  // The rows the helper computes read W panels it packed itself (asm/mlp.ts mlpPack).
  const rows = pool.helperChunks(JobKind.mlpRows);
  const sums = pool.helperChunks(JobKind.mlpWeights);
  const both = (): boolean => pool.helperChunks(JobKind.mlpRows) > rows && pool.helperChunks(JobKind.mlpWeights) > sums;
  // The pass is offered to two threads in every probe's two-thread blocks (thread-payoff.ts), and taken
  // only while the helper is polling: try for a while.
  for (const until = performance.now() + 5000; !both() && performance.now() < until; ) {
    await pool.resume();
    for (const c of cases) assertSameAsTape(c, 5);
  }
  assert.ok(pool.helperChunks(JobKind.mlpRows) > rows, 'the helper thread computed no rows of the fused pass');
  assert.ok(pool.helperChunks(JobKind.mlpWeights) > sums, 'the helper thread computed no sums of the fused pass');
});

test('in a two-thread pass the helper computes chunks from the back and the main thread from the front', { skip: wasm ? false : 'CRUCIBLE_WASM=0' }, async () => {
  assert.equal(await startGemmThreads(), true);
  const pool = sharedPool()!;
  // So each thread writes mostly the same rows step after step (rows in its own core's cache).
  let shared = 0;
  for (const until = performance.now() + 5000; shared < 20 && performance.now() < until; ) {
    await pool.resume();
    const late = pool.stolenChunks() + pool.abandoned();
    assertSameAsTape(cases[0], 1);
    const { chunks, helperBits } = pool.lastJob();
    const all = chunks === 32 ? -1 : (1 << chunks) - 1;
    const mainBits = all & ~helperBits;
    // A late helper's chunks are computed again by the main thread: not a sample of the split.
    if (helperBits === 0 || mainBits === 0 || pool.stolenChunks() + pool.abandoned() !== late) continue;
    shared++;
    assert.equal(mainBits & (mainBits + 1), 0, `the main thread's chunks ${mainBits.toString(2)} of ${chunks} are not the first ones`);
  }
  assert.ok(shared >= 20, `only ${shared} passes were shared by both threads`);
});

test('a fused pass whose helper thread is late is computed again on one thread, with the tape’s bits', { skip: wasm ? false : 'CRUCIBLE_WASM=0' }, async () => {
  assert.equal(await startGemmThreads(), true);
  const pool = sharedPool()!;
  const before = pool.abandoned();
  // The helper sleeps 20 ms after claiming each chunk, as if descheduled on a busy host.
  pool.stallHelperForTests(20);
  try {
    for (const until = performance.now() + 5000; pool.abandoned() === before && performance.now() < until; ) {
      await pool.resume();
      assertSameAsTape(cases[0], 5);
    }
    assert.ok(pool.abandoned() > before, 'no pass was given up on although the helper stalled 20 ms in every chunk');
  } finally {
    pool.stallHelperForTests(0);
  }
  // Once the helper is out of the stalled job, the shared workspace serves passes again.
  const rows = pool.helperChunks(JobKind.mlpRows);
  for (const until = performance.now() + 5000; pool.helperChunks(JobKind.mlpRows) === rows && performance.now() < until; ) {
    await pool.resume();
    assertSameAsTape(cases[0], 5);
  }
  assert.ok(pool.helperChunks(JobKind.mlpRows) > rows, 'the helper computed no rows after its stall ended');
});

test('lossGradient matches central finite differences of the loss', () => {
  for (const activation of ['tanh', 'linear'] as const) {
    const c: Case = { widths: [3, 6, 5, 2], rows: 8, activation };
    const { x, y } = data(c, 9);
    const model = new Mlp({ widths: c.widths, activation, seed: 4 });
    const p = model.parameters;
    p.zeroGrad();
    lossGradient(model, mse, x, y);
    const analytic = Float64Array.from(p.grads);
    const loss = (): number => noGrad(() => mse(model.forward(x), y).item());
    const h = 1e-5;
    let worst = 0;
    for (let i = 0; i < p.count; i++) {
      const v = p.values[i];
      p.values[i] = v + h;
      const up = loss();
      p.values[i] = v - h;
      const down = loss();
      p.values[i] = v;
      const numeric = (up - down) / (2 * h);
      worst = Math.max(worst, Math.abs(numeric - analytic[i]) / Math.max(Math.abs(numeric), Math.abs(analytic[i]), 1e-3 * Math.max(...analytic.map(Math.abs))));
    }
    assert.ok(worst < 1e-6, `${activation}: relative error ${worst.toExponential(2)} against finite differences`);
  }
});

test('lossGradient takes the tape for other losses and reports bad shapes like the tape', () => {
  const c = cases[0];
  const { x, y } = data(c, 5);
  const a = new Mlp({ widths: c.widths, activation: c.activation, seed: 1 });
  const b = new Mlp({ widths: c.widths, activation: c.activation, seed: 1 });
  a.parameters.zeroGrad();
  const l = mae(a.forward(x), y);
  backward(l);
  b.parameters.zeroGrad();
  assert.equal(lossGradient(b, mae, x, y), l.item());
  assert.deepEqual(b.parameters.grads, a.parameters.grads);
  assert.throws(() => lossGradient(b, mse, x, Tensor.zeros(c.rows, 3)), /^RangeError: mse: .*\[64, 4\].*\[64, 3\]/);
  // A layer of 2^20 multiply-adds (16 rows × 256 × 256) is the tape's: it splits such products itself.
  const big = new Mlp({ widths: [4, 256, 256, 2], activation: 'tanh', seed: 2 });
  const before = mlpPasses();
  lossGradient(big, mse, Tensor.zeros(16, 4), Tensor.zeros(16, 2));
  assert.equal(mlpPasses(), before);
});
