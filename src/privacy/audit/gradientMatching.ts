/**
 * Gradient inversion by gradient matching — DLG (Zhu, Liu & Han, "Deep Leakage from Gradients",
 * NeurIPS 2019): the coordinator looks for a dummy batch (x′, y′) whose one-step update,
 * u(x′, y′) = −η ∇θ L(θ; x′, y′), equals the update u* a plant sent, by minimising
 *
 *     D(x′, y′) = ‖u(x′, y′) − u*‖² / ‖u*‖²
 *
 * with L-BFGS from several random starts. Unlike the closed form of `gradientInversion.ts`, this works
 * on updates of several records. Its gradient needs second derivatives, which Crucible's tape autodiff
 * does not record; they enter only as a Hessian–vector product, so it is taken from two first-order
 * passes of the core's autodiff (central differences along r = u − u*):
 *
 *     ∂D/∂(x′, y′) = (2/‖u*‖²) rᵀ ∂u/∂(x′, y′) = −(2η/‖u*‖²) ∂/∂(x′, y′) [rᵀ ∇θ L]
 *                  ≈ −(2η/‖u*‖²) · (∇ₓ L(θ + εr) − ∇ₓ L(θ − εr)) / 2ε.
 *
 * @example
 * const { records, mismatch } = matchGradients(update, model, { records: 2, learningRate: 0.1, seed: 1 });
 */
import type { Mlp } from '../../nn/mlp.js';
import { mse } from '../../nn/losses.js';
import { minimizeLbfgsb } from '../../optimize/lbfgsb.js';
import { backward, valueAndGrad } from '../../tensor/autodiff.js';
import { Rng } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';

export interface GradientMatchingOptions {
  /** Records in the batch the attacker assumes behind the update. */
  readonly records: number;
  /** The plant's learning rate η (the coordinator sets it). */
  readonly learningRate: number;
  /** Seed of the random starts. */
  readonly seed: number;
  /** Random starts; the best match wins. Default 4. */
  readonly restarts?: number;
  /** L-BFGS iterations per start. Default 300. */
  readonly maxIterations?: number;
}

export interface GradientMatch {
  /** The reconstructed inputs, one per assumed record. */
  readonly records: Float64Array[];
  /** The reconstructed targets. */
  readonly targets: Float64Array;
  /** D at the best match: ≈ 0 when the update was explained exactly. */
  readonly mismatch: number;
}

/** The one-step update −η ∇θ mean-MSE of (x, y) at parameters θ (the model is left at θ). */
export function oneStepUpdate(model: Mlp, theta: Float64Array, x: Tensor, y: Tensor, learningRate: number): Float64Array {
  model.parameters.set(theta);
  model.parameters.zeroGrad();
  backward(mse(model.forward(x), y));
  return model.parameters.grads.map((g) => -learningRate * g);
}

/** Searches for the batch behind `update`, an update of `model` at its current parameters. */
export function matchGradients(update: Float64Array, model: Mlp, options: GradientMatchingOptions): GradientMatch {
  const theta = model.parameters.get();
  if (update.length !== theta.length) throw new RangeError(`gradient matching: update has ${update.length} values, model ${theta.length}`);
  const b = options.records;
  const first = model.parameters.entries.find((e) => e.name === 'layer0.weight');
  if (first === undefined) throw new RangeError("gradient matching: the model has no parameter 'layer0.weight'");
  const d = first.rows;
  const eta = options.learningRate;
  const norm2 = update.reduce((s, v) => s + v * v, 0) || 1;
  const inputGradients = (params: Float64Array, x: Tensor, y: Tensor): Tensor[] => {
    model.parameters.set(params);
    return valueAndGrad((xi, yi) => mse(model.forward(xi), yi))(x, y).grads;
  };
  const objective = (z: Float64Array, grad: Float64Array): number => {
    const x = new Tensor(b, d, z.slice(0, b * d));
    const y = new Tensor(b, 1, z.slice(b * d));
    const r = oneStepUpdate(model, theta, x, y, eta).map((v, i) => v - update[i]);
    const rNorm = Math.sqrt(r.reduce((s, v) => s + v * v, 0)) || 1;
    const eps = 1e-4 / rNorm;
    const [xPlus, yPlus] = inputGradients(theta.map((t, i) => t + eps * r[i]), x, y);
    const [xMinus, yMinus] = inputGradients(theta.map((t, i) => t - eps * r[i]), x, y);
    const scale = (-2 * eta) / norm2 / (2 * eps);
    for (let i = 0; i < b * d; i++) grad[i] = scale * (xPlus.data[i] - xMinus.data[i]);
    for (let i = 0; i < b; i++) grad[b * d + i] = scale * (yPlus.data[i] - yMinus.data[i]);
    return (rNorm * rNorm) / norm2;
  };
  let best: { x: Float64Array; value: number } | null = null;
  for (let start = 0; start < (options.restarts ?? 4); start++) {
    const z0 = new Rng(options.seed * 101 + start).fillUniform(new Float64Array(b * d + b), -1, 1);
    const result = minimizeLbfgsb(objective, z0, { maxIterations: options.maxIterations ?? 300, gradientTolerance: 1e-12, valueTolerance: 1e-16 });
    if (best === null || result.value < best.value) best = result;
    if (best.value < 1e-12) break;
  }
  model.parameters.set(theta);
  const z = best!.x;
  return {
    records: Array.from({ length: b }, (_, i) => z.slice(i * d, (i + 1) * d)),
    targets: z.slice(b * d),
    mismatch: best!.value,
  };
}
