import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../tensor/rng.js';
import { discreteGaussianVector, sampleDiscreteGaussian } from './discreteGaussian.js';

for (const sigma of [0.8, 5]) {
  test(`discrete Gaussian draws with σ=${sigma} are integers with mean 0 and variance ≈ σ², and P(0) matches the pmf`, () => {
    const n = 40000;
    const draws = discreteGaussianVector(n, sigma, new Rng(17));
    assert.ok(draws.every(Number.isInteger));
    const mean = draws.reduce((s, v) => s + v, 0) / n;
    const variance = draws.reduce((s, v) => s + v * v, 0) / n - mean * mean;
    // The discrete Gaussian's variance is slightly below σ² for small σ; compute it exactly.
    let z = 0;
    let second = 0;
    for (let k = -60; k <= 60; k++) {
      const w = Math.exp(-(k * k) / (2 * sigma * sigma));
      z += w;
      second += k * k * w;
    }
    const exactVariance = second / z;
    assert.ok(Math.abs(mean) < (4 * Math.sqrt(exactVariance)) / Math.sqrt(n), `mean ${mean}`);
    assert.ok(Math.abs(variance / exactVariance - 1) < 0.04, `variance ${variance} vs ${exactVariance}`);
    const p0 = draws.filter((v) => v === 0).length / n;
    assert.ok(Math.abs(p0 - 1 / z) < 4 * Math.sqrt((1 / z) / n), `P(0) ${p0} vs ${1 / z}`);
  });
}

test('σ = 0 gives no noise, and a negative σ is refused', () => {
  assert.equal(sampleDiscreteGaussian(0, new Rng(1)), 0);
  assert.throws(() => sampleDiscreteGaussian(-1, new Rng(1)), RangeError);
});
