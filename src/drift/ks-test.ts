/**
 * The two-sample Kolmogorov–Smirnov test: does a feature's recent window come from the same
 * distribution as its training data? D = sup |F₁(x) − F₂(x)| over the two empirical CDFs (ties
 * handled by stepping over equal values together); p-value from the asymptotic Kolmogorov
 * distribution with the effective size n = n₁n₂/(n₁+n₂) and Stephens' small-sample correction
 * λ = (√n + 0.12 + 0.11/√n)·D (Numerical Recipes, 3rd ed., §14.3.3).
 *
 * @example
 * const { statistic, pValue } = ksTwoSample(trainingColumn, recentColumn);
 * if (pValue < 0.01) reportDrift();
 */

export interface KsResult {
  /** D = sup |F₁ − F₂|. */
  readonly statistic: number;
  /** P(D ≥ observed) under "same distribution". */
  readonly pValue: number;
}

/** Q_KS(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}, the Kolmogorov survival function. */
export function kolmogorovSurvival(lambda: number): number {
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = 2 * (j % 2 === 1 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** Two-sample KS test of samples `a` and `b` (each at least one finite value). */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  const x = Float64Array.from(a as ArrayLike<number>).sort();
  const y = Float64Array.from(b as ArrayLike<number>).sort();
  if (x.length === 0 || y.length === 0) throw new RangeError(`ksTwoSample: both samples need values (got ${x.length} and ${y.length})`);
  for (const [name, s] of [['a', x], ['b', y]] as const) {
    if (!Number.isFinite(s[0]) || !Number.isFinite(s[s.length - 1])) throw new RangeError(`ksTwoSample: sample ${name} holds a non-finite value`);
  }
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  const n = (x.length * y.length) / (x.length + y.length);
  const sqrtN = Math.sqrt(n);
  return { statistic: d, pValue: kolmogorovSurvival((sqrtN + 0.12 + 0.11 / sqrtN) * d) };
}
