/** A fully connected layer y = act(x·W + b) over a batch of rows, its weights views into a model's flat vector. */
import type { Tensor } from '../tensor/tensor.js';
import { shapeOf } from '../tensor/tensor.js';
import { type DenseActivation, type DenseOptions, dense } from '../tensor/ops/index.js';

export class Dense {
  /** Weights [inputs, outputs]. */
  readonly weight: Tensor;
  /** Bias [1, outputs]. */
  readonly bias: Tensor;

  constructor(weight: Tensor, bias: Tensor) {
    if (bias.rows !== 1 || bias.cols !== weight.cols) {
      throw new RangeError(`Dense: bias ${shapeOf(bias)} does not fit weight ${shapeOf(weight)}; expected [1, ${weight.cols}]`);
    }
    this.weight = weight;
    this.bias = bias;
  }

  get inputSize(): number {
    return this.weight.rows;
  }

  get outputSize(): number {
    return this.weight.cols;
  }

  /**
   * act(x·W + b) as one fused op (`dense`); with no activation, x·W + b. `options.into` lends the
   * output a model's reused buffer (see `dense`).
   *
   * @example
   * const h = layer.forward(x, 'tanh');
   */
  forward(x: Tensor, activation: DenseActivation = 'linear', options: DenseOptions = {}): Tensor {
    if (x.cols !== this.weight.rows) {
      throw new RangeError(`Dense.forward: input ${shapeOf(x)} has ${x.cols} features, layer expects ${this.weight.rows}`);
    }
    return dense(x, this.weight, this.bias, activation, options);
  }
}
