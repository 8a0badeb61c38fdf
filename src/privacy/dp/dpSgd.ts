/**
 * Sample-level DP-SGD at a plant (Abadi et al., "Deep Learning with Differential Privacy", CCS 2016):
 * each step draws a Poisson sample of the plant's records (each with probability q), clips every
 * record's gradient to L2 norm C (the core's `clippedGradientSum`, one backward pass), adds
 * N(0, (σC)²) to the sum and divides by the expected batch size qN. Each step is the subsampled
 * Gaussian mechanism the RDP accountant composes; the unit protected is ONE operating record.
 *
 * Sampling and noise come from the OS CSPRNG by default: Poisson sampling only amplifies privacy if
 * the adversary cannot tell which records were drawn.
 *
 * @example
 * const { event } = trainDpSgd(model, x, y, { clipNorm: 1, noiseMultiplier: 1.1, samplingRate: 0.05, steps: 200, learningRate: 0.1 });
 * new RdpAccountant().compose(event).epsilon(1e-5)
 */
import { gatherRows } from '../../tensor/ops/slice.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { Mlp } from '../../nn/mlp.js';
import { clippedGradientSum } from '../../nn/per-example.js';
import type { LossName } from '../../nn/losses.js';
import type { GaussianEvent } from './accountant.js';
import { CryptoUniform, type UniformSource, gaussian } from './noise.js';

export interface DpSgdOptions {
  /** Per-record gradient clip norm C. */
  readonly clipNorm: number;
  /** Noise multiplier σ (noise std = σ·C on the clipped sum). */
  readonly noiseMultiplier: number;
  /** Poisson sampling rate q per step (expected batch = q·records). */
  readonly samplingRate: number;
  readonly steps: number;
  readonly learningRate: number;
  /** Default 'mse'. */
  readonly loss?: LossName;
  /** Source of sampling and noise. Default: the OS CSPRNG. */
  readonly uniform?: UniformSource;
}

export interface DpSgdOutcome {
  /** The privacy event of this training run (for the ledger). */
  readonly event: GaussianEvent;
  /** Mean loss over the sampled batches. */
  readonly meanLoss: number;
}

/** Trains `model` in place by DP-SGD on (x, y). */
export function trainDpSgd(model: Mlp, x: Tensor, y: Tensor, options: DpSgdOptions): DpSgdOutcome {
  const { clipNorm, noiseMultiplier, samplingRate: q, steps, learningRate } = options;
  if (!(q > 0 && q <= 1)) throw new RangeError(`trainDpSgd: samplingRate must be in (0, 1], got ${q}`);
  if (!(noiseMultiplier >= 0)) throw new RangeError(`trainDpSgd: noiseMultiplier must be ≥ 0, got ${noiseMultiplier}`);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`trainDpSgd: steps must be a non-negative integer, got ${steps}`);
  const uniform = options.uniform ?? new CryptoUniform();
  const n = x.rows;
  const values = model.parameters.values;
  const sum = new Float64Array(values.length);
  const expectedBatch = q * n;
  let lossTotal = 0;
  let lossBatches = 0;
  for (let step = 0; step < steps; step++) {
    const picked: number[] = [];
    for (let i = 0; i < n; i++) if (uniform.uniform() < q) picked.push(i);
    sum.fill(0);
    if (picked.length > 0) {
      const out = clippedGradientSum(model, gatherRows(x, picked).detach(), gatherRows(y, picked).detach(), { clipNorm, loss: options.loss, out: sum });
      lossTotal += out.loss;
      lossBatches++;
    }
    // The noise is added whether or not anything was sampled: an empty step must look like any other.
    const std = noiseMultiplier * clipNorm;
    for (let i = 0; i < values.length; i++) values[i] -= (learningRate * (sum[i] + std * gaussian(uniform))) / expectedBatch;
  }
  return { event: { noiseMultiplier, samplingRate: q, steps }, meanLoss: lossBatches > 0 ? lossTotal / lossBatches : Number.NaN };
}
