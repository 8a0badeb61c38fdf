/**
 * Client-level DP-FedAvg (McMahan et al., ICLR 2018) as a wrapper of any mean-based strategy: the
 * plants' updates, each clipped to L2 norm C, are summed; Gaussian noise N(0, (z·C)²) is added to
 * the sum; the noisy mean goes to the inner strategy (FedAvg, FedAdam …) as if it were the one
 * result of the round. One plant more or less changes the sum by at most C, so each round is a
 * Gaussian mechanism with noise multiplier z over the plants (a plant's WHOLE data set is the unit
 * protected — see docs/privacy.md).
 *
 * Clipping: fixed, or adaptive (Andrew et al., "Differentially Private Learning with Adaptive
 * Clipping", NeurIPS 2021): C follows the γ-quantile of update norms by C ← C·exp(−η(b̃ − γ)), where
 * b̃ is the noisy fraction of unclipped updates (noise σ_b). The update noise multiplier is then
 * z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2), so update and count together spend exactly z (their Thm 1).
 *
 * Works on plaintext fit results (re-clipping each at the coordinator) and on secure-aggregate
 * results (the plants clipped; the coordinator only holds the sum). Before each round a budget guard
 * (if given) stops the run with BUDGET_EXHAUSTED; after aggregation the round is written to the ledger.
 *
 * @example
 * const strategy = dpFedAvg(fedAvg(), { noiseMultiplier: 1.0, clipping: { kind: 'fixed', clipNorm: 0.5 }, guard });
 */
import type { FitReply } from '../../federation/messages.js';
import type { Strategy, StrategyState } from '../../federation/strategy.js';
import { isSecureAggregate } from '../secagg/fitCollector.js';
import type { BudgetGuard } from './budget.js';
import { clipToNorm } from './clip.js';
import { CryptoUniform, type UniformSource, gaussian } from './noise.js';

export type ClippingOptions =
  | { readonly kind: 'fixed'; readonly clipNorm: number }
  | {
      readonly kind: 'adaptive';
      readonly initialClipNorm: number;
      /** Target quantile γ of update norms. Default 0.5. */
      readonly targetQuantile?: number;
      /** Geometric step η. Default 0.2 (Andrew et al.). */
      readonly learningRate?: number;
      /** Noise std σ_b of the unclipped count (in plants). Default: plants per round / 20. */
      readonly countNoiseStdDev?: number;
    };

export interface DpFedAvgOptions {
  /** Total noise multiplier z per round (update and, if adaptive, count together). */
  readonly noiseMultiplier: number;
  readonly clipping: ClippingOptions;
  /** Fraction of all plants sampled per round (for the accountant). Default 1. */
  readonly samplingRate?: number;
  /** Stops the run before a round would exceed the privacy budget, and records spent rounds. */
  readonly guard?: BudgetGuard;
  /** Noise source per round. Default: the OS CSPRNG. Pass a seeded `Rng` only in simulations. */
  readonly noise?: (round: number) => UniformSource;
}

const CLIP_KEY = 'dpClipNorm';

export function dpFedAvg(inner: Strategy, options: DpFedAvgOptions): Strategy {
  const { noiseMultiplier: z, clipping } = options;
  if (!(z > 0)) throw new RangeError(`dpFedAvg: noiseMultiplier must be > 0, got ${z}`);
  const initialClip = clipping.kind === 'fixed' ? clipping.clipNorm : clipping.initialClipNorm;
  if (!(initialClip > 0)) throw new RangeError(`dpFedAvg: clip norm must be > 0, got ${initialClip}`);
  const event = { noiseMultiplier: z, samplingRate: options.samplingRate ?? 1, steps: 1 };
  const crypto = new CryptoUniform();
  const noiseFor = options.noise ?? (() => crypto);
  const clipOf = (state: StrategyState): number => (typeof state.json[CLIP_KEY] === 'number' ? (state.json[CLIP_KEY] as number) : initialClip);
  const withClip = (state: StrategyState, clipNorm: number): StrategyState => ({ arrays: state.arrays, json: { ...state.json, [CLIP_KEY]: clipNorm } });

  return {
    ...inner,
    name: `dp(${inner.name})`,
    initialState: (parameters) => withClip(inner.initialState(parameters), initialClip),
    configureFit: (context) => {
      options.guard?.admit(context.round, event);
      const plan = inner.configureFit(context);
      return { ...plan, config: { ...plan.config, [CLIP_KEY]: clipOf(context.state) } as typeof plan.config };
    },
    aggregateFit: ({ round, parameters, state, results }) => {
      const clipNorm = clipOf(state);
      const noise = noiseFor(round);
      const { sum, plants, unclipped } = clippedSum(results, clipNorm);
      let updateZ = z;
      let nextClip = clipNorm;
      let countNoise = 0;
      if (clipping.kind === 'adaptive') {
        const sigmaB = clipping.countNoiseStdDev ?? plants / 20;
        // Andrew et al. Thm 1: split z between the update and the count.
        updateZ = sigmaB > 0 ? (z ** -2 - (2 * sigmaB) ** -2) ** -0.5 : z;
        if (!Number.isFinite(updateZ)) throw new RangeError(`dpFedAvg: countNoiseStdDev ${sigmaB} is too small for noiseMultiplier ${z}: need 2σ_b > z`);
        countNoise = sigmaB * gaussian(noise);
        const fraction = (unclipped + countNoise) / plants;
        nextClip = clipNorm * Math.exp(-(clipping.learningRate ?? 0.2) * (fraction - (clipping.targetQuantile ?? 0.5)));
      }
      const std = updateZ * clipNorm;
      const mean = sum.map((v) => (v + std * gaussian(noise)) / plants);
      const numExamples = results.reduce((s, r) => s + r.numExamples, 0);
      const noisy: FitReply = { ...results[0], plantId: 'dp-aggregate', numExamples, metrics: {}, arrays: { update: mean } };
      const out = inner.aggregateFit({ round, parameters, state, results: [noisy] });
      options.guard?.commit(round, event, { label: 'dp-fedavg' });
      return {
        ...out,
        state: withClip(out.state, nextClip),
        metrics: { ...out.metrics, dpClipNorm: clipNorm, dpNoiseStdDev: std, dpUnclippedFraction: unclipped / plants, ...(options.guard ? { dpEpsilon: options.guard.spent() } : {}) },
      };
    },
  };
}

/** Σ clip(updateᵢ) and the unclipped count, from plaintext results or from secure-aggregate replicas. */
function clippedSum(results: readonly FitReply[], clipNorm: number): { sum: Float64Array; plants: number; unclipped: number } {
  if (isSecureAggregate(results)) {
    // The replicas carry Σ wᵢΔᵢ / Σ wᵢ; plants clipped before masking (clipUpdates). Undo the division.
    const r = results[0];
    const weightSum = r.metrics.weightSum;
    const unclippedMean = r.arrays.unclipped?.[0];
    return { sum: r.arrays.update.map((v) => v * weightSum), plants: r.metrics.plants, unclipped: unclippedMean === undefined ? Number.NaN : unclippedMean * weightSum };
  }
  const sum = new Float64Array(results[0].arrays.update.length);
  let unclipped = 0;
  for (const r of results) {
    const { clipped, wasClipped } = clipToNorm(r.arrays.update, clipNorm);
    if (!wasClipped) unclipped++;
    for (let i = 0; i < sum.length; i++) sum[i] += clipped[i];
  }
  return { sum, plants: results.length, unclipped };
}
