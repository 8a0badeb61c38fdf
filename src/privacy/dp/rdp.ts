/**
 * Rényi differential privacy of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar & Zhang,
 * "Rényi Differential Privacy of the Sampled Gaussian Mechanism", 2019) and its conversion to
 * (ε, δ)-DP. The computation follows TF Privacy's `rdp_accountant` term by term: integer orders by
 * the binomial expansion of A_α (§3.3), fractional orders by the two-sided erfc series (§3.4), all in
 * log space.
 *
 * Conversions from RDP to (ε, δ):
 * - 'improved' (default): ε = RDP(α) + log((α−1)/α) − (log δ + log α)/(α−1), the bound of Balle et
 *   al. 2020 ("Hypothesis testing interpretations and Rényi DP", Thm 21) / Canonne, Kamath & Steinke
 *   2020 (Prop. 12) — what Opacus ≥ 1.0 and TF Privacy (since 2021) use.
 * - 'classic': ε = RDP(α) − log δ/(α−1) (Mironov 2017, Prop. 3) — what TF Privacy used until 2020,
 *   and what the Abadi et al. / TF Privacy MNIST tutorial numbers (ε = 3.01 …) were computed with.
 *
 * @example
 * const rdp = subsampledGaussianRdp(256 / 60000, 1.1, DEFAULT_ORDERS).map((r) => r * 14063);
 * epsilonFromRdp(DEFAULT_ORDERS, rdp, 1e-5, 'classic').epsilon // ≈ 3.01
 */

/** The orders TF Privacy's compute_dp_sgd_privacy evaluates. */
export const DEFAULT_ORDERS: readonly number[] = [
  1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5,
  ...Array.from({ length: 59 }, (_, i) => i + 5),
  128, 256, 512,
];

export type RdpConversion = 'improved' | 'classic';

function logAdd(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  if (lo === -Infinity) return hi;
  return Math.log1p(Math.exp(lo - hi)) + hi;
}

function logSub(a: number, b: number): number {
  if (a < b) throw new RangeError('logSub: the result would be negative');
  if (b === -Infinity) return a;
  if (a === b) return -Infinity;
  const d = Math.expm1(a - b);
  return Number.isFinite(d) ? Math.log(d) + b : a;
}

/** log Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits). */
export function logGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log erfc(x), accurate far into both tails. */
export function logErfc(x: number): number {
  if (x < 0) return Math.log(2 - Math.exp(logErfc(-x)));
  if (x < 2) {
    // erf by its Taylor series (alternating, at most ~1 digit lost for x < 2).
    let term = x;
    let sum = x;
    for (let n = 1; n < 200; n++) {
      term *= (-x * x) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return Math.log1p(-(2 / Math.sqrt(Math.PI)) * sum);
  }
  // erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))), evaluated bottom-up.
  let f = x;
  for (let k = 60; k >= 1; k--) f = x + k / 2 / f;
  return -x * x - 0.5 * Math.log(Math.PI) - Math.log(f);
}

function logBinomial(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** log A_α for integer α (Mironov et al. 2019, §3.3). */
function logAInt(q: number, sigma: number, alpha: number): number {
  let logA = -Infinity;
  for (let i = 0; i <= alpha; i++) {
    const logCoef = logBinomial(alpha, i) + i * Math.log(q) + (alpha - i) * Math.log1p(-q);
    logA = logAdd(logA, logCoef + (i * i - i) / (2 * sigma * sigma));
  }
  return logA;
}

/** log A_α for fractional α (Mironov et al. 2019, §3.4). */
function logAFrac(q: number, sigma: number, alpha: number): number {
  let logA0 = -Infinity;
  let logA1 = -Infinity;
  const z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
  let coef = 1; // binom(α, i) by the recurrence binom(α, i) = binom(α, i−1)·(α − i + 1)/i
  for (let i = 0; ; i++) {
    if (i > 0) coef *= (alpha - i + 1) / i;
    const logCoef = Math.log(Math.abs(coef));
    const j = alpha - i;
    const logT0 = logCoef + i * Math.log(q) + j * Math.log1p(-q);
    const logT1 = logCoef + j * Math.log(q) + i * Math.log1p(-q);
    const logE0 = Math.log(0.5) + logErfc((i - z0) / (Math.SQRT2 * sigma));
    const logE1 = Math.log(0.5) + logErfc((z0 - j) / (Math.SQRT2 * sigma));
    const logS0 = logT0 + (i * i - i) / (2 * sigma * sigma) + logE0;
    const logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1;
    if (coef > 0) {
      logA0 = logAdd(logA0, logS0);
      logA1 = logAdd(logA1, logS1);
    } else {
      logA0 = logSub(logA0, logS0);
      logA1 = logSub(logA1, logS1);
    }
    if (Math.max(logS0, logS1) < -30 || i > 10000) break;
  }
  return logAdd(logA0, logA1);
}

/**
 * RDP at each order of ONE step of the Gaussian mechanism with noise multiplier σ (noise std / L2
 * sensitivity), applied to a Poisson sample with rate q. Multiply by the number of steps to compose.
 */
export function subsampledGaussianRdp(samplingRate: number, noiseMultiplier: number, orders: readonly number[] = DEFAULT_ORDERS): Float64Array {
  if (!(samplingRate >= 0 && samplingRate <= 1)) throw new RangeError(`subsampledGaussianRdp: samplingRate must be in [0, 1], got ${samplingRate}`);
  if (!(noiseMultiplier >= 0)) throw new RangeError(`subsampledGaussianRdp: noiseMultiplier must be ≥ 0, got ${noiseMultiplier}`);
  return Float64Array.from(orders, (alpha) => {
    if (!(alpha > 1)) throw new RangeError(`subsampledGaussianRdp: orders must exceed 1, got ${alpha}`);
    if (samplingRate === 0) return 0;
    if (noiseMultiplier === 0) return Infinity;
    if (samplingRate === 1) return alpha / (2 * noiseMultiplier * noiseMultiplier);
    const logA = Number.isInteger(alpha) ? logAInt(samplingRate, noiseMultiplier, alpha) : logAFrac(samplingRate, noiseMultiplier, alpha);
    return logA / (alpha - 1);
  });
}

/** The smallest ε over the orders for which the accumulated RDP gives (ε, δ)-DP, and that order. */
export function epsilonFromRdp(orders: readonly number[], rdp: ArrayLike<number>, delta: number, conversion: RdpConversion = 'improved'): { epsilon: number; order: number } {
  if (!(delta > 0 && delta < 1)) throw new RangeError(`epsilonFromRdp: delta must be in (0, 1), got ${delta}`);
  if (orders.length !== rdp.length) throw new RangeError(`epsilonFromRdp: ${orders.length} orders but ${rdp.length} RDP values`);
  let best = { epsilon: Infinity, order: orders[0] };
  orders.forEach((a, k) => {
    const r = rdp[k];
    let eps: number;
    if (conversion === 'classic') eps = r - Math.log(delta) / (a - 1);
    else if (delta * delta + Math.expm1(-r) >= 0) eps = 0; // the KL bound already gives δ
    else if (a > 1.01) eps = r + Math.log1p(-1 / a) - Math.log(delta * a) / (a - 1);
    else eps = Infinity;
    if (eps < best.epsilon) best = { epsilon: eps, order: a };
  });
  return { epsilon: Math.max(0, best.epsilon), order: best.order };
}
