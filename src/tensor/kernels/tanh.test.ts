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
