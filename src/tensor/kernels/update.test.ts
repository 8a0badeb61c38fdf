import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../rng.js';
import { sgdUpdateInto } from './update.js';

test('the SGD update gives the bits of the plain loop θ −= lr·g, on the SIMD path and the short TypeScript one', () => {
  const rng = new Rng(5);
  for (const n of [7, 1001]) {
    const theta = new Float64Array(n);
    const g = new Float64Array(n);
    rng.fillNormal(theta, 0, 1);
    rng.fillNormal(g, 0, 1);
    const expected = theta.map((t, i) => t - 0.037 * g[i]);
    sgdUpdateInto(theta, g, 0.037);
    assert.deepEqual(theta, expected, `n = ${n}`);
  }
  assert.throws(() => sgdUpdateInto(new Float64Array(3), new Float64Array(2), 0.1), /sgdUpdateInto: gradient has 2 values, parameters 3/);
});
