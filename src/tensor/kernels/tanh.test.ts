import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { tanhScalar, tanhInto } from './tanh.js';
import { wasmKernels } from './wasm.js';

function inputs(): Float64Array {
  const rng = new Rng(11);
  const special = [0, -0, 1e-300, -5e-324, 1e-8, 0.3, 0.625, -0.625, 0.6250000000000001, 1, -3, 19.9, 20, 20.5, 710, -1e300, Infinity, -Infinity];
  const x = new Float64Array(4099); // odd length: the SIMD loop's scalar tail runs too
  x.set(special);
  for (let i = special.length; i < x.length; i++) x[i] = rng.normal() * (i % 3 === 0 ? 0.3 : i % 3 === 1 ? 3 : 12);
  return x;
}

test('tanh of a whole array is within 1e-15 relative of Math.tanh, odd, and exact at 0, ±∞ and for huge |x|', () => {
  const x = inputs();
  const y = new Float64Array(x.length);
  tanhInto(x, y);
  for (let i = 0; i < x.length; i++) {
    const expected = Math.tanh(x[i]);
    assert.ok(Math.abs(y[i] - expected) <= 1e-15 * Math.abs(expected), `tanh(${x[i]}) = ${y[i]}, Math.tanh gives ${expected}`);
  }
  assert.ok(Object.is(y[1], -0), 'tanh(−0) is −0');
  assert.equal(y[16], 1);
  assert.equal(y[17], -1);
  const nan = new Float64Array(65).fill(NaN);
  tanhInto(nan, nan);
  assert.ok(nan.every(Number.isNaN));
});

/** A dense grid: every 1/4096 on [−21, 21] (all table intervals, both signs, past the clamp), plus tiny and huge |x|. */
function denseGrid(): Float64Array {
  const values: number[] = [];
  for (let i = -21 * 4096; i <= 21 * 4096; i++) values.push(i / 4096 + (i % 7) * 1e-6);
  for (let e = -320; e <= 308; e++) values.push(10 ** e, -(10 ** e), 3.7 * 10 ** e);
  // Just below and above each table point k/64.
  for (let k = 0; k <= 1300; k++) values.push(k / 64 - 2 ** -40, k / 64 + 2 ** -40);
  values.push(5e-324, -5e-324, Number.MIN_VALUE * 3, Number.MAX_VALUE, -Number.MAX_VALUE);
  return Float64Array.from(values);
}

test('tanh over a dense grid: relative error ≤ 1e-15 against Math.tanh, tiny |x| to huge |x|; NaN and ±∞ as Math.tanh', () => {
  const x = denseGrid();
  const y = new Float64Array(x.length);
  tanhInto(x, y);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const expected = Math.tanh(x[i]);
    const rel = expected === 0 ? Math.abs(y[i]) : Math.abs(y[i] - expected) / Math.abs(expected);
    assert.ok(rel <= 1e-15, `tanh(${x[i]}) = ${y[i]}, Math.tanh gives ${expected} (relative error ${rel})`);
    worst = Math.max(worst, rel);
    assert.ok(Object.is(tanhScalar(x[i]), y[i]), `at ${x[i]}: array ${y[i]}, scalar ${tanhScalar(x[i])}`);
  }
  assert.ok(worst > 0, 'the grid exercises rounding (not every value exact)');
  const special = Float64Array.of(NaN, Infinity, -Infinity, 0, -0, NaN, 1, -1);
  const out = new Float64Array(special.length);
  const long = Float64Array.from({ length: 64 }, (_, i) => special[i % special.length]);
  const longOut = new Float64Array(64); // long enough for the wasm path
  tanhInto(long, longOut);
  for (let i = 0; i < 64; i++) assert.ok(Object.is(longOut[i], Math.tanh(long[i])), `tanh(${long[i]}) = ${longOut[i]}, Math.tanh gives ${Math.tanh(long[i])}`);
  tanhInto(special, out); // the TypeScript path (short)
  for (let i = 0; i < special.length; i++) assert.ok(Object.is(out[i], Math.tanh(special[i])), `tanh(${special[i]}) = ${out[i]}`);
});

test(
  'the WebAssembly tanh and its TypeScript twin give identical bits',
  { skip: process.env.CRUCIBLE_WASM === '0' ? 'CRUCIBLE_WASM=0: the TypeScript kernels were asked for' : false },
  () => {
    assert.ok(wasmKernels !== null, 'build/kernels.wasm is not loaded: run `npm run build:kernels`');
    const x = inputs();
    const y = new Float64Array(x.length);
    tanhInto(x, y); // long enough for the wasm path
    for (let i = 0; i < x.length; i++) assert.ok(Object.is(y[i], tanhScalar(x[i])), `at ${x[i]}: wasm ${y[i]}, TypeScript ${tanhScalar(x[i])}`);
  },
);

test('tanhInto rejects an output of the wrong length', () => {
  assert.throws(() => tanhInto(new Float64Array(3), new Float64Array(2)), /output has 2 values, input has 3/);
});
