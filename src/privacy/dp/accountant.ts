/**
 * A Rényi-DP accountant: composes privacy events (each k steps of a Poisson-subsampled Gaussian
 * mechanism) by adding their RDP curves (Mironov 2017, Prop. 1), and reports the (ε, δ) spent.
 * Used for both levels Crucible offers: client-level DP-FedAvg (one event per round, q = fraction of
 * plants sampled) and sample-level DP-SGD at a plant (one event per local training run).
 *
 * @example
 * const accountant = new RdpAccountant();
 * accountant.compose({ noiseMultiplier: 1.1, samplingRate: 256 / 60000, steps: 14063 });
 * accountant.epsilon(1e-5) // ≈ 2.6 (improved conversion)
 */
import { DEFAULT_ORDERS, type RdpConversion, epsilonFromRdp, subsampledGaussianRdp } from './rdp.js';

/** k steps of the Gaussian mechanism with noise multiplier σ on a Poisson sample of rate q. */
export interface GaussianEvent {
  readonly mechanism?: 'gaussian';
  /** Noise standard deviation divided by the L2 sensitivity (clip norm). */
  readonly noiseMultiplier: number;
  /** Poisson sampling rate q (1 = every plant / every record every step). */
  readonly samplingRate: number;
  /** Steps (rounds, for client-level DP). */
  readonly steps: number;
}

/**
 * k rounds of the distributed discrete Gaussian mechanism under secure aggregation (Kairouz, Liu &
 * Steinke, ICML 2021): the sum of n plants' N_Z(0, σ²) noise on integer vectors of dimension d.
 * Scales are sensitivities over the central noise: l2Scale = Δ₂/(√n·σ), l1Scale = Δ₁/(√n·σ); τ bounds
 * how far a sum of discrete Gaussians is from one (their Thm 1). See `distributedDp.ts`.
 */
export interface DistributedDiscreteGaussianEvent {
  readonly mechanism: 'distributed-discrete-gaussian';
  readonly l2Scale: number;
  readonly l1Scale: number;
  readonly tau: number;
  readonly dimension: number;
  readonly steps: number;
}

export type PrivacyEvent = GaussianEvent | DistributedDiscreteGaussianEvent;

/** RDP at order α of one round of the distributed discrete Gaussian (Kairouz et al. 2021, Prop. 14). */
function distributedDiscreteGaussianRdp(e: DistributedDiscreteGaussianEvent, alpha: number): number {
  const { l2Scale: l2, l1Scale: l1, tau, dimension: d } = e;
  const term1 = (alpha / 2) * l2 * l2 + tau * d;
  const term2 = (alpha / 2) * (l2 * l2 + 2 * l1 * tau + tau * tau * d);
  const term3 = (alpha / 2) * (l2 + Math.sqrt(d) * tau) ** 2;
  return Math.min(term1, term2, term3);
}

export interface RdpAccountantOptions {
  /** RDP orders. Default `DEFAULT_ORDERS` (TF Privacy's). */
  orders?: readonly number[];
  /** RDP → (ε, δ) conversion. Default 'improved' (Balle et al. 2020; as Opacus and TF Privacy). */
  conversion?: RdpConversion;
}

export class RdpAccountant {
  readonly orders: readonly number[];
  readonly conversion: RdpConversion;
  private readonly total: Float64Array;
  private readonly perStep = new Map<string, Float64Array>();

  constructor(options: RdpAccountantOptions = {}) {
    this.orders = options.orders ?? DEFAULT_ORDERS;
    this.conversion = options.conversion ?? 'improved';
    this.total = new Float64Array(this.orders.length);
  }

  /** The RDP curve of one event (cached per (q, σ): rounds repeat the same mechanism). */
  rdpOf(event: PrivacyEvent): Float64Array {
    if (!Number.isInteger(event.steps) || event.steps < 0) throw new RangeError(`RdpAccountant: steps must be a non-negative integer, got ${event.steps}`);
    const key = event.mechanism === 'distributed-discrete-gaussian' ? `ddg|${event.l2Scale}|${event.l1Scale}|${event.tau}|${event.dimension}` : `${event.samplingRate}|${event.noiseMultiplier}`;
    let curve = this.perStep.get(key);
    if (curve === undefined) {
      curve =
        event.mechanism === 'distributed-discrete-gaussian'
          ? Float64Array.from(this.orders, (alpha) => distributedDiscreteGaussianRdp(event, alpha))
          : subsampledGaussianRdp(event.samplingRate, event.noiseMultiplier, this.orders);
      this.perStep.set(key, curve);
    }
    return curve.map((r) => r * event.steps);
  }

  compose(event: PrivacyEvent): this {
    const rdp = this.rdpOf(event);
    for (let i = 0; i < rdp.length; i++) this.total[i] += rdp[i];
    return this;
  }

  /** ε spent at this δ so far. */
  epsilon(delta: number): number {
    return epsilonFromRdp(this.orders, this.total, delta, this.conversion).epsilon;
  }

  /** ε that would be spent after also composing `event` (the accountant is not changed). */
  epsilonAfter(event: PrivacyEvent, delta: number): number {
    const rdp = this.rdpOf(event);
    for (let i = 0; i < rdp.length; i++) rdp[i] += this.total[i];
    return epsilonFromRdp(this.orders, rdp, delta, this.conversion).epsilon;
  }
}
