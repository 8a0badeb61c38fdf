import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { FixedPoint } from './fixedPoint.js';
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
