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
export interface PrivacyEvent {
  /** Noise standard deviation divided by the L2 sensitivity (clip norm). */
  readonly noiseMultiplier: number;
  /** Poisson sampling rate q (1 = every plant / every record every step). */
  readonly samplingRate: number;
  /** Steps (rounds, for client-level DP). */
  readonly steps: number;
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
    const key = `${event.samplingRate}|${event.noiseMultiplier}`;
    let curve = this.perStep.get(key);
    if (curve === undefined) {
      curve = subsampledGaussianRdp(event.samplingRate, event.noiseMultiplier, this.orders);
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
