/**
 * The noise a target privacy level needs: the smallest noise multiplier σ such that `steps` steps of
 * the subsampled Gaussian mechanism at rate q stay within (ε, δ) under the RDP accountant — by
 * bisection on σ (ε decreases monotonically in σ). The audit and benchmarks use it to compare
 * mechanisms at equal ε.
 *
 * @example
 * noiseMultiplierForEpsilon(2, 1e-5, { samplingRate: 0.01, steps: 1000 }) // ≈ 0.9
 */
import { RdpAccountant, type RdpAccountantOptions } from './accountant.js';

export function noiseMultiplierForEpsilon(
  epsilon: number,
  delta: number,
  options: RdpAccountantOptions & { samplingRate?: number; steps?: number } = {},
): number {
  if (!(epsilon > 0)) throw new RangeError(`noiseMultiplierForEpsilon: epsilon must be > 0, got ${epsilon}`);
  const event = (sigma: number) => ({ noiseMultiplier: sigma, samplingRate: options.samplingRate ?? 1, steps: options.steps ?? 1 });
  const eps = (sigma: number) => new RdpAccountant(options).compose(event(sigma)).epsilon(delta);
  let lo = 1e-3;
  let hi = 1;
  while (eps(hi) > epsilon) {
    hi *= 2;
    if (hi > 1e6) throw new RangeError(`noiseMultiplierForEpsilon: no σ below 1e6 reaches ε=${epsilon} at δ=${delta}`);
  }
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (eps(mid) > epsilon) lo = mid;
    else hi = mid;
  }
  return hi;
}
