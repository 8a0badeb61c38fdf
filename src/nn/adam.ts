/**
 * Adam (Kingma & Ba, ICLR 2015) and AdamW, Adam with decoupled weight decay (Loshchilov & Hutter,
 * ICLR 2019): AdamW shrinks the weights by lr·λ·w each step instead of adding λ·w to the gradient.
 *
 * @example
 * const opt = new Adam(model.parameters, { lr: 1e-3 });
 * const optW = new AdamW(model.parameters, { lr: 1e-3, weightDecay: 1e-2 });
 */
import type { Parameters } from './parameters.js';
import { type Optimizer, type OptimizerState, type Schedule, restoreState, snapshot, toSchedule } from './optimizer.js';

export interface AdamOptions {
  /** Learning rate or schedule. Default 1e-3. */
  lr?: number | Schedule;
  /** Decay of the first-moment average. Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment average. Default 0.999. */
  beta2?: number;
  /** Added to √v̂ in the denominator. Default 1e-8. */
  epsilon?: number;
  /** Adam: L2 penalty added to the gradient; AdamW: decoupled decay rate. Default 0 (Adam), 0.01 (AdamW). */
  weightDecay?: number;
}

export class Adam implements Optimizer {
  readonly parameters: Parameters;
  protected readonly kind: string = 'adam';
  private readonly schedule: Schedule;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;
  protected readonly weightDecay: number;
  private readonly decoupled: boolean;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private steps = 0;

  constructor(parameters: Parameters, options: AdamOptions = {}, decoupled = false) {
    const name = decoupled ? 'AdamW' : 'Adam';
    this.parameters = parameters;
    this.schedule = toSchedule(name, options.lr ?? 1e-3);
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    this.weightDecay = options.weightDecay ?? (decoupled ? 0.01 : 0);
    this.decoupled = decoupled;
    for (const [key, value] of [['beta1', this.beta1], ['beta2', this.beta2]] as const) {
      if (!(value >= 0 && value < 1)) throw new RangeError(`${name}: ${key} must be in [0, 1), got ${value}`);
    }
    if (!(this.epsilon > 0)) throw new RangeError(`${name}: epsilon must be > 0, got ${this.epsilon}`);
    if (!(this.weightDecay >= 0)) throw new RangeError(`${name}: weightDecay must be ≥ 0, got ${this.weightDecay}`);
    this.m = new Float64Array(parameters.count);
    this.v = new Float64Array(parameters.count);
  }

  get stepCount(): number {
    return this.steps;
  }

  learningRate(): number {
    return this.schedule(this.steps);
  }

  step(): void {
    const lr = this.learningRate();
    const t = this.steps + 1;
    const { values, grads } = this.parameters;
    const { m, v, beta1: b1, beta2: b2, epsilon: eps, weightDecay: wd } = this;
    const c1 = 1 / (1 - Math.pow(b1, t));
    const c2 = 1 / (1 - Math.pow(b2, t));
    const coupled = this.decoupled ? 0 : wd;
    const shrink = this.decoupled ? 1 - lr * wd : 1;
    for (let i = 0; i < values.length; i++) {
      const g = grads[i] + coupled * values[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      values[i] = shrink * values[i] - (lr * (m[i] * c1)) / (Math.sqrt(v[i] * c2) + eps);
    }
    this.steps = t;
  }

  state(): OptimizerState {
    return snapshot(this.kind, this.steps, { m: this.m, v: this.v });
  }

  loadState(state: OptimizerState): void {
    this.steps = restoreState(this.decoupled ? 'AdamW' : 'Adam', state, this.kind, { m: this.m, v: this.v });
  }
}

/** Adam with decoupled weight decay (default λ = 0.01). */
export class AdamW extends Adam {
  protected override readonly kind: string = 'adamw';

  constructor(parameters: Parameters, options: AdamOptions = {}) {
    super(parameters, options, true);
  }
}
