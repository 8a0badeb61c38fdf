import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ORDERS, epsilonFromRdp, logErfc, logGamma, subsampledGaussianRdp } from './rdp.js';

/** TF Privacy's compute_dp_sgd_privacy: q = batch/n, steps = ceil(epochs·n/batch), its default orders. */
function dpSgdEpsilon(n: number, batch: number, sigma: number, epochs: number, delta: number, conversion: 'classic' | 'improved', orders = DEFAULT_ORDERS) {
  const steps = Math.ceil((epochs * n) / batch);
  const rdp = subsampledGaussianRdp(batch / n, sigma, orders).map((r) => r * steps);
  return epsilonFromRdp(orders, rdp, delta, conversion);
}

/** The orders of TF Privacy's mnist_dpsgd_tutorial compute_epsilon: 1.1 … 10.9 by 0.1, then 12 … 63. */
const tutorialOrders = [...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10), ...Array.from({ length: 52 }, (_, i) => i + 12)];

test('matches the MNIST DP-SGD table published with TF Privacy (classic conversion)', () => {
  // tensorflow/privacy tutorials/README.md (N = 60000, batch 256, δ = 1e-5), computed by the tutorial's
  // compute_epsilon; the README's compute_dp_sgd_privacy command line gives 3.01 for the default row too.
  assert.equal(dpSgdEpsilon(60000, 256, 1.1, 60, 1e-5, 'classic', tutorialOrders).epsilon.toFixed(2), '3.01');
  assert.equal(dpSgdEpsilon(60000, 256, 1.3, 15, 1e-5, 'classic', tutorialOrders).epsilon.toFixed(2), '1.19');
  assert.equal(dpSgdEpsilon(60000, 256, 0.7, 45, 1e-5, 'classic', tutorialOrders).epsilon.toFixed(2), '7.10');
  assert.equal(dpSgdEpsilon(60000, 256, 1.1, 60, 1e-5, 'classic').epsilon.toFixed(2), '3.01');
});

test('matches compute_dp_sgd_privacy_test of TF Privacy before 2021 (classic conversion)', () => {
  const cases: [number, number, number, number, number, number, number][] = [
    [60000, 150, 1.3, 15, 1e-5, 0.941870567, 19],
    [100000, 100, 1.0, 30, 1e-7, 1.70928734, 13],
    [100000000, 1024, 0.1, 10, 1e-7, 5907984.81339406, 1.25],
  ];
  for (const [n, b, s, e, d, eps, order] of cases) {
    const got = dpSgdEpsilon(n, b, s, e, d, 'classic');
    assert.ok(Math.abs(got.epsilon - eps) / eps < 1e-6, `n=${n}: ε ${got.epsilon} vs ${eps}`);
    assert.equal(got.order, order);
  }
});

test('matches compute_dp_sgd_privacy_test of current TF Privacy (improved conversion)', () => {
  const cases: [number, number, number, number, number, number, number][] = [
    [60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19],
    [100000, 100, 1.0, 30, 1e-7, 1.4154988495444845, 13],
    [100000000, 1024, 0.1, 10, 1e-7, 5907982.31138195, 1.25],
  ];
  for (const [n, b, s, e, d, eps, order] of cases) {
    const got = dpSgdEpsilon(n, b, s, e, d, 'improved');
    assert.ok(Math.abs(got.epsilon - eps) / eps < 1e-6, `n=${n}: ε ${got.epsilon} vs ${eps}`);
    assert.equal(got.order, order);
  }
});

test('without subsampling the RDP is the Gaussian mechanism’s α/(2σ²)', () => {
  assert.deepEqual(Array.from(subsampledGaussianRdp(1, 2, [2, 3.5])), [2 / 8, 3.5 / 8]);
});

test('special functions agree with known values', () => {
  assert.ok(Math.abs(logGamma(10) - Math.log(362880)) < 1e-12);
  assert.ok(Math.abs(logGamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-12);
  assert.ok(Math.abs(logErfc(0.5) - Math.log(0.4795001221869535)) < 1e-13);
  assert.ok(Math.abs(logErfc(3) - Math.log(2.209049699858544e-5)) < 1e-12);
  assert.ok(Math.abs(logErfc(-1) - Math.log(1.842700792949715)) < 1e-13);
  // Far tail against the asymptotic series erfc(x) ≈ e^{−x²}/(x√π)·(1 − 1/(2x²) + 3/(4x⁴) − 15/(8x⁶)).
  const x = 30;
  assert.ok(Math.abs(logErfc(x) - (-x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(1 - 1 / (2 * x * x) + 3 / (4 * x ** 4) - 15 / (8 * x ** 6)))) < 1e-9);
});

test('matches Opacus’s RDPAccountant test (improved conversion, Opacus’s default orders)', () => {
  // pytorch/opacus opacus/tests/accountants_test.py, test_rdp_accountant: σ = 1.5, q = 0.04,
  // steps = int(90 / 0.04), δ = 1e-5 → ε = 7.32911117143 (assertAlmostEqual to 7 places).
  const orders = [...Array.from({ length: 99 }, (_, x) => 1 + (x + 1) / 10), ...Array.from({ length: 52 }, (_, i) => i + 12)];
  const steps = Math.trunc(90 / 0.04);
  const rdp = subsampledGaussianRdp(0.04, 1.5, orders).map((r) => r * steps);
  assert.ok(Math.abs(epsilonFromRdp(orders, rdp, 1e-5, 'improved').epsilon - 7.32911117143) < 5e-8);
});

test('matches the moments accountant example of Abadi et al. (CCS 2016, §3.1)', () => {
  // q = 0.01, σ = 4, δ = 1e-5, T = 10 000 steps: ε ≈ 1.26 by the moments accountant (moments of
  // order λ ≤ 32, i.e. RDP orders 2 … 33, with the tail bound ε = min_λ (α(λ) + log(1/δ)) / λ).
  const orders = Array.from({ length: 32 }, (_, i) => i + 2);
  const rdp = subsampledGaussianRdp(0.01, 4, orders).map((r) => r * 10_000);
  assert.equal(epsilonFromRdp(orders, rdp, 1e-5, 'classic').epsilon.toFixed(2), '1.26');
});
