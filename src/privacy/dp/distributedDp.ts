/**
 * Distributed DP under secure aggregation (Kairouz, Liu & Steinke, "The Distributed Discrete Gaussian
 * Mechanism for Federated Learning with Secure Aggregation", ICML 2021): no party is trusted to add
 * noise. Each plant clips its update to L2 norm C, scales it to the integer grid of granularity γ,
 * rounds stochastically (unbiased), and adds discrete Gaussian noise N_Z(0, σ²) per coordinate; SecAgg
 * then sums the integers exactly mod 2^32, so the sum — the only thing the coordinator sees —
 * carries the noise of all contributing plants, N_Z-like with variance n·σ².
 *
 * Modular arithmetic is accounted for by construction: `distributedDpCodec` sizes the fixed-point
 * range as C + γ + 8σγ per coordinate (noise beyond 8σ has probability ≤ 2e^−32 ≈ 2.5e-14 per
 * coordinate, the discrete Gaussian being sub-Gaussian; such a coordinate would be clipped) and
 * the SecAgg bit budget then refuses settings where n plants could wrap around 2^32 — rather than
 * Kairouz et al.'s modular clipping with a randomized rotation, which needs far fewer bits but is
 * not implemented here.
 *
 * Accounting (`distributedDpEvent`): sensitivity in grid units Δ₂ = C/γ + √d (stochastic rounding
 * moves each coordinate by < 1), Δ₁ = √d·Δ₂, central noise √n_min·σ with n_min the fewest plants
 * SecAgg lets contribute (noise of dropped plants is missing, so count only the guaranteed ones),
 * and the RDP bound of their Prop. 14. Subsampling of plants is not credited (conservative).
 *
 * @example
 * const dp = { clipNorm: 1, granularity: 2 ** -12, localNoiseStdDev: 400 };
 * middleware: [secureAggregationPlant(), distributedDpPlant(dp)]
 * secureFitCollector({ ...distributedDpCodec({ ...dp, plants: 10 }) })
 */
import type { PlantReply } from '../../federation/messages.js';
import type { PlantMiddleware } from '../../federation/plant.js';
import { FixedPoint } from '../secagg/fixedPoint.js';
import type { DistributedDiscreteGaussianEvent } from './accountant.js';
import { clipToNorm } from './clip.js';
import { sampleDiscreteGaussian } from './discreteGaussian.js';
import { CryptoUniform, type UniformSource } from './noise.js';

export interface DistributedDpOptions {
  /** L2 clip norm C of a plant's update (update units). */
  readonly clipNorm: number;
  /** Grid step γ (update units per integer); a power of two, so γ·k is exact in float64. */
  readonly granularity: number;
  /** Noise σ per plant, in grid units. */
  readonly localNoiseStdDev: number;
}

function check(options: DistributedDpOptions): void {
  const { clipNorm, granularity, localNoiseStdDev } = options;
  if (!(clipNorm > 0)) throw new RangeError(`distributed DP: clipNorm must be > 0, got ${clipNorm}`);
  if (!(granularity > 0) || 2 ** Math.round(Math.log2(granularity)) !== granularity) {
    throw new RangeError(`distributed DP: granularity must be a power of two, got ${granularity}`);
  }
  if (!(localNoiseStdDev >= 0.5)) throw new RangeError(`distributed DP: localNoiseStdDev must be ≥ 0.5 grid units (Kairouz et al. Thm 1), got ${localNoiseStdDev}`);
}

/**
 * Plant middleware: clip, grid, stochastic rounding and discrete Gaussian noise on the fit update.
 * Place it INSIDE `secureAggregationPlant` (after it in the list), so the noised update is what gets masked.
 */
export function distributedDpPlant(options: DistributedDpOptions & { uniform?: UniformSource }): PlantMiddleware {
  check(options);
  const uniform = options.uniform ?? new CryptoUniform();
  return (next) => async (task) => {
    const reply = await next(task);
    return task.kind === 'fit' ? noisedReply(reply, options, uniform) : reply;
  };
}

/** A fit reply with its `update` clipped, put on the grid and noised as above (failures pass through). */
export function noisedReply(reply: PlantReply, options: DistributedDpOptions, uniform: UniformSource): PlantReply {
  if (!reply.ok || reply.arrays.update === undefined) return reply;
  check(options);
  const { clipNorm, granularity: g, localNoiseStdDev: sigma } = options;
  const { clipped } = clipToNorm(reply.arrays.update, clipNorm);
  const noised = new Float64Array(clipped.length);
  for (let i = 0; i < clipped.length; i++) {
    const scaled = clipped[i] / g;
    const floor = Math.floor(scaled);
    const rounded = uniform.uniform() < scaled - floor ? floor + 1 : floor;
    noised[i] = (rounded + sampleDiscreteGaussian(sigma, uniform)) * g;
  }
  return { ...reply, arrays: { ...reply.arrays, update: noised } };
}

/**
 * The SecAgg codec of the `update` array for distributed DP: scale 1/γ (the grid is encoded
 * exactly) and a range covering clip, rounding and 8σ of noise. Building it runs the bit-budget
 * check for `plants` plants (SECAGG_UNSAFE_PARAMETERS if the sum could wrap).
 */
export function distributedDpCodec(options: DistributedDpOptions & { plants: number }): { clipRange: number; scale: number } {
  check(options);
  const clipRange = options.clipNorm + options.granularity * (1 + 8 * options.localNoiseStdDev);
  const scale = 1 / options.granularity;
  new FixedPoint({ clipRange, plants: options.plants, scale });
  return { clipRange, scale };
}

/** The privacy event of one round (see the file comment). */
export function distributedDpEvent(options: DistributedDpOptions & { dimension: number; minimumPlants: number; steps?: number }): DistributedDiscreteGaussianEvent {
  check(options);
  const { clipNorm, granularity, localNoiseStdDev: sigma, dimension: d, minimumPlants: n } = options;
  const l2 = clipNorm / granularity + Math.sqrt(d);
  const l1 = Math.sqrt(d) * l2;
  let tau = 0;
  for (let k = 1; k < n; k++) tau += Math.exp(-2 * (Math.PI * sigma) ** 2 * (k / (k + 1)));
  tau *= 10;
  const central = Math.sqrt(n) * sigma;
  return { mechanism: 'distributed-discrete-gaussian', l2Scale: l2 / central, l1Scale: l1 / central, tau, dimension: d, steps: options.steps ?? 1 };
}
