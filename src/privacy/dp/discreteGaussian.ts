/**
 * The discrete Gaussian N_Z(0, σ²) — P(x) ∝ exp(−x²/2σ²) on the integers — by the rejection sampler
 * of Canonne, Kamath & Steinke ("The Discrete Gaussian for Differential Privacy", NeurIPS 2020,
 * Alg. 1–3): Bernoulli(exp(−γ)) by alternating series, discrete Laplace by geometric sampling, then
 * a discrete Laplace proposal accepted with Bernoulli(exp(−(|Y| − σ²/t)²/2σ²)).
 *
 * Integer noise is what distributed DP under secure aggregation needs: it survives quantization and
 * modular summation exactly. CKS's sampler is exact with rational arithmetic; here γ is a float64,
 * so acceptance probabilities carry ~1e-16 relative error — far below anything the accounting sees.
 *
 * @example
 * sampleDiscreteGaussian(4, new CryptoUniform()) // an integer, variance ≈ 16
 */
import type { UniformSource } from './noise.js';

/** Bernoulli(p) for p in [0, 1]. */
function bernoulli(p: number, u: UniformSource): boolean {
  return u.uniform() < p;
}

/** Bernoulli(exp(−γ)) for γ ≥ 0 (CKS Alg. 1). */
function bernoulliExp(gamma: number, u: UniformSource): boolean {
  let g = gamma;
  while (g > 1) {
    if (!bernoulliExp(1, u)) return false;
    g -= 1;
  }
  let k = 1;
  while (bernoulli(g / k, u)) k++;
  return k % 2 === 1;
}

/** Discrete Laplace with scale t (integer ≥ 1): P(x) ∝ exp(−|x|/t) (CKS Alg. 2). */
function discreteLaplace(t: number, u: UniformSource): number {
  for (;;) {
    const r = Math.floor(u.uniform() * t);
    if (!bernoulliExp(r / t, u)) continue;
    let v = 0;
    while (bernoulliExp(1, u)) v++;
    const x = r + t * v;
    const negative = bernoulli(0.5, u);
    if (negative && x === 0) continue;
    return negative ? -x : x;
  }
}

/** One draw of N_Z(0, σ²) (CKS Alg. 3). */
export function sampleDiscreteGaussian(sigma: number, u: UniformSource): number {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new RangeError(`sampleDiscreteGaussian: sigma must be a finite number ≥ 0, got ${sigma}`);
  if (sigma === 0) return 0;
  const t = Math.floor(sigma) + 1;
  const s2 = sigma * sigma;
  for (;;) {
    const y = discreteLaplace(t, u);
    const d = Math.abs(y) - s2 / t;
    if (bernoulliExp((d * d) / (2 * s2), u)) return y;
  }
}

/** `length` independent N_Z(0, σ²) draws. */
export function discreteGaussianVector(length: number, sigma: number, u: UniformSource): Float64Array {
  const out = new Float64Array(length);
  for (let i = 0; i < length; i++) out[i] = sampleDiscreteGaussian(sigma, u);
  return out;
}
