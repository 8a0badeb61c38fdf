/**
 * One training step's loss and gradient: loss(model(x), y), its gradient added into
 * `model.parameters.grads`. For an `Mlp` with mean squared error and activations the dense kernels
 * apply (linear, tanh, relu), on batches of a multiple of 4 rows and layers below 2^20 multiply-adds
 * a product, it takes the fused pass through wasm memory that two threads share
 * (tensor/kernels/mlp-pass.ts); otherwise the tape (`backward(loss(model.forward(x), y))`). Both
 * give the same bits, so which one ran never shows in a result.
 *
 * @example
 * model.parameters.zeroGrad();
 * const value = lossGradient(model, mse, x, y);
 * optimizer.step();
 */
import { backward } from '../tensor/autodiff.js';
import type { DenseActivation } from '../tensor/kernels/dense.js';
import { mlpMsePass, mlpPassActivations } from '../tensor/kernels/mlp-pass.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Loss, mse } from './losses.js';
import { Mlp, type Model } from './mlp.js';

/** Adds the gradient of loss(model(x), y) into the model's gradients and returns the loss's value. */
export function lossGradient(model: Model, loss: Loss, x: Tensor, y: Tensor): number {
  const fused = loss === mse ? fusedMse(model, x, y) : null;
  if (fused !== null) return fused;
  const l = loss(model.forward(x), y);
  backward(l);
  return l.item();
}

/** The fused pass when it applies (null: use the tape, which also reports any shape errors). */
function fusedMse(model: Model, x: Tensor, y: Tensor): number | null {
  // Exactly an Mlp: a subclass may change what forward computes.
  if (!(model instanceof Mlp) || Object.getPrototypeOf(model) !== Mlp.prototype) return null;
  const { activation, outputActivation } = model.spec;
  const applies = (name: string): name is DenseActivation => (mlpPassActivations as readonly string[]).includes(name);
  if (!applies(activation) || !applies(outputActivation)) return null;
  if (x.cols !== model.inputSize || y.rows !== x.rows || y.cols !== model.outputSize) return null;
  const last = model.layers.length - 1;
  const layers = model.layers.map((layer, l) => ({
    inputs: layer.inputSize,
    outputs: layer.outputSize,
    act: l === last ? outputActivation : activation,
    weight: layer.weight.data,
    bias: layer.bias.data,
    gradWeight: layer.weight.ensureGrad(),
    gradBias: layer.bias.ensureGrad(),
  }));
  return mlpMsePass(layers, x.data, y.data, x.rows);
}
