/**
 * Adaptive server optimizers (Reddi et al., "Adaptive Federated Optimization", ICLR 2021, Alg. 2):
 * the sample-weighted mean update Δ is treated as a pseudo-gradient (a descent direction) and the
 * server takes an Adam, Yogi or Adagrad step with it:
 *   m ← β₁m + (1−β₁)Δ
 *   v ← v + Δ²                              (Adagrad)
 *   v ← v − (1−β₂)·Δ²·sign(v − Δ²)           (Yogi)
 *   v ← β₂v + (1−β₂)Δ²                      (Adam)
 *   x ← x + η·m / (√v + τ)
 * with v₀ = τ² and no bias correction, as in the paper. The moments m, v are strategy state and
 * are checkpointed with each round.
 *
 * @example
 * runFederation(grid, fedAdam({ serverLearningRate: 0.05 }), options);
 */
import { defineStrategy, weightedMeanUpdate } from './define.js';
import type { Strategy } from '../strategy.js';

export interface FedOptOptions {
  /** Server learning rate η. Default 0.1. */
  readonly serverLearningRate?: number;
  /** Default 0.9. */
  readonly beta1?: number;
  /** Default 0.99. */
  readonly beta2?: number;
  /** Adaptivity τ: bounds the step where v is small. Default 1e-3. */
  readonly tau?: number;
}

type Variant = 'adam' | 'yogi' | 'adagrad';

function fedOpt(variant: Variant, name: string, options: FedOptOptions): Strategy {
  const eta = options.serverLearningRate ?? 0.1;
  const b1 = options.beta1 ?? 0.9;
  const b2 = options.beta2 ?? 0.99;
  const tau = options.tau ?? 1e-3;
  for (const [k, v] of Object.entries({ serverLearningRate: eta, tau })) if (!(v > 0)) throw new RangeError(`${name}: ${k} must be > 0, got ${v}`);
  for (const [k, v] of Object.entries({ beta1: b1, beta2: b2 })) if (!(v >= 0 && v < 1)) throw new RangeError(`${name}: ${k} must be in [0, 1), got ${v}`);
  return defineStrategy({
    name,
    initialState: (parameters) => ({
      arrays: { m: new Float64Array(parameters.length), v: new Float64Array(parameters.length).fill(tau * tau) },
      json: {},
    }),
    aggregateFit: ({ parameters, state, results }) => {
      const delta = weightedMeanUpdate(results);
      const m = state.arrays.m.slice();
      const v = state.arrays.v.slice();
      const next = new Float64Array(parameters.length);
      for (let i = 0; i < next.length; i++) {
        const d = delta[i];
        const d2 = d * d;
        m[i] = b1 * m[i] + (1 - b1) * d;
        if (variant === 'adagrad') v[i] = v[i] + d2;
        else if (variant === 'yogi') v[i] = v[i] - (1 - b2) * d2 * Math.sign(v[i] - d2);
        else v[i] = b2 * v[i] + (1 - b2) * d2;
        next[i] = parameters[i] + (eta * m[i]) / (Math.sqrt(v[i]) + tau);
      }
      return { parameters: next, state: { arrays: { m, v }, json: {} } };
    },
  });
}

/** FedAdam: Adam on the pseudo-gradient at the server. */
export function fedAdam(options: FedOptOptions = {}): Strategy {
  return fedOpt('adam', 'fedAdam', options);
}

/** FedYogi: Yogi's additive second moment (more stable than Adam when v must grow or shrink fast). */
export function fedYogi(options: FedOptOptions = {}): Strategy {
  return fedOpt('yogi', 'fedYogi', options);
}

/** FedAdagrad: accumulated squared pseudo-gradients. */
export function fedAdagrad(options: FedOptOptions = {}): Strategy {
  return fedOpt('adagrad', 'fedAdagrad', options);
}
