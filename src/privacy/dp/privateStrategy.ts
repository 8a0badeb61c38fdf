/**
 * Client-level differential privacy for a whole run, from one typed spec (the `differentialPrivacy`
 * section of `federation.yaml`): wraps the run's strategy so that every round is accounted in the
 * run's durable ledger and stopped by the budget guard before it would exceed ε, and tells the plants
 * (through the fit task's config, read by `dpFromTask`) their part of the mechanism.
 *
 * - `central` — DP-FedAvg (McMahan et al., ICLR 2018): plants clip, the coordinator adds Gaussian
 *   noise z·C to the sum (fixed or adaptive clipping, Andrew et al. 2021). Trusts the coordinator
 *   to add the noise; with secure aggregation it still sees only the sum.
 * - `distributed` — distributed discrete Gaussian (Kairouz et al., ICML 2021): plants add integer
 *   noise before masking; needs secure aggregation, whose codec for `update` (`updateCodec`: scale
 *   1/γ, range clip + 8σ, refused if n plants could wrap 2^32) this returns. The accountant counts
 *   only the `minimumPlants` secure aggregation guarantees, so that many must be its floor too.
 *
 * Subsampling of plants is not credited (sampling rate 1): conservative when `plantsPerRound`
 * samples, since which plants are sampled is not secret from the coordinator.
 *
 * @example
 * const { strategy } = privateStrategy(fedAvg(), { kind: 'central', noiseMultiplier: 1, clipping: { kind: 'fixed', clipNorm: 0.5 }, budget: { epsilon: 4, delta: 1e-5 } }, { ledger, dimension: 101, plants: 10 });
 */
import type { Strategy } from '../../federation/strategy.js';
import { accounted } from './accounted.js';
import { BudgetGuard, type PrivacyBudget } from './budget.js';
import { distributedDpCodec, distributedDpEvent } from './distributedDp.js';
import { type ClippingOptions, dpFedAvg } from './dpFedAvg.js';
import type { PrivacyLedger } from './ledger.js';

export type DifferentialPrivacySpec =
  | {
      readonly kind: 'central';
      /** Noise multiplier z per round (noise std z·C on the sum). */
      readonly noiseMultiplier: number;
      readonly clipping: ClippingOptions;
      readonly budget: PrivacyBudget;
    }
  | {
      readonly kind: 'distributed';
      /** L2 clip norm C of a plant's update. */
      readonly clipNorm: number;
      /** Integer grid step γ, a power of two. */
      readonly granularity: number;
      /** Discrete Gaussian σ per plant, in grid units. */
      readonly localNoiseStdDev: number;
      /** Fewest plants whose sum secure aggregation releases, and whose noise the accountant counts. */
      readonly minimumPlants: number;
      readonly budget: PrivacyBudget;
    };

export interface PrivateStrategy {
  readonly strategy: Strategy;
  /** Secure-aggregation codec of the `update` array (distributed DP). */
  readonly updateCodec?: { readonly clipRange: number; readonly scale: number };
  readonly guard: BudgetGuard;
}

export interface PrivateStrategyContext {
  /** The run's privacy ledger (durable: `storePrivacyLedger`). */
  readonly ledger: PrivacyLedger;
  /** Parameters of the model (the dimension of an update). */
  readonly dimension: number;
  /** Largest cohort of a round, for the bit-budget check of the distributed codec. */
  readonly plants: number;
}

export function privateStrategy(inner: Strategy, spec: DifferentialPrivacySpec, context: PrivateStrategyContext): PrivateStrategy {
  const guard = new BudgetGuard(spec.budget, context.ledger);
  if (spec.kind === 'central') {
    return { strategy: dpFedAvg(inner, { noiseMultiplier: spec.noiseMultiplier, clipping: spec.clipping, guard }), guard };
  }
  const dp = { clipNorm: spec.clipNorm, granularity: spec.granularity, localNoiseStdDev: spec.localNoiseStdDev };
  const updateCodec = distributedDpCodec({ ...dp, plants: Math.max(context.plants, spec.minimumPlants) });
  const event = distributedDpEvent({ ...dp, dimension: context.dimension, minimumPlants: spec.minimumPlants });
  const withPlantNoise: Strategy = {
    ...inner,
    name: `distributed-dp(${inner.name})`,
    configureFit: (ctx) => {
      const plan = inner.configureFit(ctx);
      const config = { ...plan.config, dpClipNorm: dp.clipNorm, dpGranularity: dp.granularity, dpLocalNoiseStdDev: dp.localNoiseStdDev };
      return { ...plan, config: config as typeof plan.config };
    },
  };
  return { strategy: accounted(withPlantNoise, guard, event, 'distributed-dp'), updateCodec, guard };
}
