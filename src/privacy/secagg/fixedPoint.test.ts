import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { FixedPoint, encodeNearest } from './fixedPoint.js';
import { wasmKernels } from '../../tensor/kernels/wasm.js';
import { Rng } from '../../tensor/rng.js';

test('a sum of encodings decodes to the plain sum within the error bound', () => {
  const fp = new FixedPoint({ clipRange: 2, plants: 7 });
  const rng = new Rng(3);
  const sum = new Uint32Array(50);
  const plain = new Float64Array(50);
  for (let p = 0; p < 7; p++) {
    const x = rng.fillUniform(new Float64Array(50), -2, 2);
    const w = fp.encode(x);
    for (let i = 0; i < 50; i++) {
      sum[i] = (sum[i] + w[i]) >>> 0;
      plain[i] += x[i];
    }
  }
  const back = fp.decode(sum);
  for (let i = 0; i < 50; i++) assert.ok(Math.abs(back[i] - plain[i]) <= fp.sumErrorBound, `coordinate ${i}`);
});

test('integers at scale one round-trip exactly, negative ones included', () => {
  const fp = new FixedPoint({ clipRange: 1000, plants: 3, scale: 1 });
  assert.deepEqual(Array.from(fp.decode(fp.encode(new Float64Array([-1000, -1, 0, 5, 1000])))), [-1000, -1, 0, 5, 1000]);
});

test('values beyond the clip range are clipped, not wrapped', () => {
  const fp = new FixedPoint({ clipRange: 1, plants: 2, scale: 1024 });
  assert.deepEqual(Array.from(fp.decode(fp.encode(new Float64Array([5, -5])))), [1, -1]);
});

test('a range times plants beyond the modulus is refused as unsafe', () => {
  assert.throws(
    () => new FixedPoint({ clipRange: 1, plants: 100, scale: 2 ** 25 }),
    (e) => isCrucibleError(e, 'SECAGG_UNSAFE_PARAMETERS') && /100 plants/.test(e.message),
  );
  assert.throws(() => new FixedPoint({ clipRange: 1, plants: 2, noiseMargin: 2 ** 31 }), (e) => isCrucibleError(e, 'SECAGG_UNSAFE_PARAMETERS'));
});

test('stochastic rounding is unbiased', () => {
  const fp = new FixedPoint({ clipRange: 1, plants: 1, scale: 1 });
  const rng = new Rng(9);
  let total = 0;
  for (let i = 0; i < 20000; i++) total += fp.decode(fp.encode(new Float64Array([0.3]), () => rng.uniform()))[0];
  assert.ok(Math.abs(total / 20000 - 0.3) < 0.01);
});

test('the SIMD encoder gives the words of the TypeScript loop, ties, clipping, −0 and a ragged tail included', () => {
  assert.ok(wasmKernels !== null, 'build/kernels.wasm is built by npm install (prepare)');
  const fp = new FixedPoint({ clipRange: 0.5, plants: 10, scale: 2 ** 26 });
  const rng = new Rng(17);
  const n = 3 * 8192 + 1027; // several kernel chunks and a tail that is not a multiple of 4
  const values = rng.fillUniform(new Float64Array(n), -0.7, 0.7);
  // Exact ties at this scale (k + 0.5 levels) round to even; a few signed zeros and clip edges.
  for (let i = 0; i < 64; i++) values[100 + i] = (i - 32 + 0.5) / 2 ** 26;
  values.set([0, -0, 0.5, -0.5, 0.5000001, -1e300, 1e-300], 500);
  for (const weight of [1, 0.37]) {
    const words = new Uint32Array(n + 3);
    fp.encodeInto(values, words, { offset: 3, weight });
    const expected = new Int32Array(n);
    assert.equal(encodeNearest(values, expected, weight, fp.clipRange, fp.scale), 0);
    assert.deepEqual(new Int32Array(words.buffer, 12, n), expected);
    assert.deepEqual(Array.from(words.subarray(0, 3)), [0, 0, 0]);
  }
  assert.equal(new Int32Array(fp.encode(values).buffer)[100 + 32], 0); // 0.5 level: ties to even
  assert.equal(new Int32Array(fp.encode(values).buffer)[100 + 33], 2); // 1.5 levels
});

test('a non-finite value is named by index on the SIMD path too', () => {
  const fp = new FixedPoint({ clipRange: 1, plants: 2 });
  const values = new Float64Array(5003).fill(0.25);
  values[4321] = Number.POSITIVE_INFINITY;
  assert.throws(() => fp.encode(values), /index 4321 is Infinity/);
  values[4321] = 0.25;
  values[5001] = Number.NaN; // in the kernel's scalar tail (5003 = 4·1250 + 3)
  assert.throws(() => fp.encode(values), /index 5001 is NaN/);
});
