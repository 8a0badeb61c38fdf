/**
 * Stochastic gradient descent with optional momentum (heavy ball; Nesterov as in Sutskever et al.,
 * ICML 2013, in the PyTorch formulation) and L2 weight decay added to the gradient.
 *
 * @example
 * const opt = new Sgd(model.parameters, { lr: 0.05, momentum: 0.9 });
 * backward(loss); opt.step(); model.parameters.zeroGrad();
 */
import { sgdUpdateInto } from '../tensor/kernels/update.js';
import type { Parameters } from './parameters.js';
import { type Optimizer, type OptimizerState, type Schedule, restoreState, snapshot, toSchedule } from './optimizer.js';

export interface SgdOptions {
  /** Learning rate or schedule. Default 0.01. */
  lr?: number | Schedule;
  /** Momentum coefficient in [0, 1). Default 0 (plain SGD). */
  momentum?: number;
  /** Use Nesterov momentum. Default false. */
  nesterov?: boolean;
  /** L2 penalty coefficient added to the gradient. Default 0. */
  weightDecay?: number;
}

export class Sgd implements Optimizer {
  readonly parameters: Parameters;
  private readonly schedule: Schedule;
  private readonly momentum: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;
  private readonly velocity: Float64Array;
  private steps = 0;

  constructor(parameters: Parameters, options: SgdOptions = {}) {
    this.parameters = parameters;
    this.schedule = toSchedule('Sgd', options.lr ?? 0.01);
    this.momentum = options.momentum ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.momentum >= 0 && this.momentum < 1)) throw new RangeError(`Sgd: momentum must be in [0, 1), got ${this.momentum}`);
    if (this.nesterov && this.momentum === 0) throw new RangeError('Sgd: nesterov needs momentum > 0');
    if (!(this.weightDecay >= 0)) throw new RangeError(`Sgd: weightDecay must be ≥ 0, got ${this.weightDecay}`);
    this.velocity = new Float64Array(parameters.count);
  }

  get stepCount(): number {
    return this.steps;
  }

  learningRate(): number {
    return this.schedule(this.steps);
  }

  step(): void {
    const lr = this.learningRate();
    const { values, grads } = this.parameters;
    // Plain SGD (the common case of federated clients) in one SIMD pass over the flat vectors.
    if (this.momentum === 0 && this.weightDecay === 0) sgdUpdateInto(values, grads, lr);
    else momentumStep(values, grads, this.velocity, { lr, momentum: this.momentum, nesterov: this.nesterov, weightDecay: this.weightDecay });
    this.steps++;
  }

  state(): OptimizerState {
    return snapshot('sgd', this.steps, { velocity: this.velocity });
  }

  loadState(state: OptimizerState): void {
    this.steps = restoreState('Sgd', state, 'sgd', { velocity: this.velocity });
  }
}

/** The general rule: weight decay, then heavy-ball or Nesterov momentum. */
function momentumStep(
  values: Float64Array,
  grads: Float64Array,
  v: Float64Array,
  o: { lr: number; momentum: number; nesterov: boolean; weightDecay: number },
): void {
  const { lr, momentum: mu, nesterov, weightDecay: wd } = o;
  for (let i = 0; i < values.length; i++) {
    let g = grads[i] + wd * values[i];
    if (mu > 0) {
      v[i] = mu * v[i] + g;
      g = nesterov ? g + mu * v[i] : v[i];
    }
    values[i] -= lr * g;
  }
}
