/**
 * A multi-layer perceptron: Dense layers with an activation between them, all parameters in one
 * flat vector.
 *
 * @example
 * const model = new Mlp({ widths: [2, 32, 32, 1], activation: 'tanh', seed: 7 });
 * const y = model.forward(Tensor.from([[0.1, 0.2]]));
 */
import { Rng } from '../tensor/rng.js';
import type { Tensor } from '../tensor/tensor.js';
import { type ActivationLease, ActivationSlots, releaseLease } from '../tensor/activation-slots.js';
import { type DenseActivation, denseActivations } from '../tensor/ops/index.js';
import { type ActivationName, activation } from './activation.js';
import { Dense } from './dense.js';
import { Parameters } from './parameters.js';

export interface MlpSpec {
  /** Layer widths from input to output, e.g. [8, 64, 64, 4]. */
  widths: number[];
  /** Hidden-layer activation. Default 'tanh'. */
  activation?: ActivationName;
  /** Activation after the last layer. Default 'linear'. */
  outputActivation?: ActivationName;
  /** Initialisation: 'xavier' (Glorot normal) or 'he' (Kaiming normal). Default: 'he' for relu/silu, else 'xavier'. */
  init?: 'xavier' | 'he';
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

/** Anything trainable: a forward map over a batch of rows and one flat parameter vector. */
export interface Model {
  readonly parameters: Parameters;
  readonly inputSize: number;
  readonly outputSize: number;
  forward(x: Tensor): Tensor;
}

export class Mlp implements Model {
  readonly spec: Required<MlpSpec>;
  readonly parameters: Parameters;
  readonly layers: readonly Dense[];
  private readonly hidden: (x: Tensor) => Tensor;
  private readonly output: (x: Tensor) => Tensor;
  /** Each layer's activation when the fused dense op applies it itself, else null (applied after). */
  private readonly fused: readonly (DenseActivation | null)[];
  /** Reused buffers for the hidden layers' outputs, which no caller of `forward` sees. */
  private readonly slots = new ActivationSlots();

  constructor(spec: MlpSpec) {
    const { widths } = spec;
    if (!Array.isArray(widths) || widths.length < 2 || widths.some((w) => !Number.isInteger(w) || w <= 0)) {
      throw new RangeError(`Mlp: widths must be at least two positive integers, got [${String(widths)}]`);
    }
    const act = spec.activation ?? 'tanh';
    this.hidden = activation(act, 'Mlp activation');
    const outAct = spec.outputActivation ?? 'linear';
    this.output = activation(outAct, 'Mlp outputActivation');
    const init = spec.init ?? (act === 'relu' || act === 'silu' ? 'he' : 'xavier');
    if (init !== 'xavier' && init !== 'he') throw new RangeError(`Mlp: unknown init '${String(init)}': expected 'xavier' or 'he'`);
    this.spec = { widths: [...widths], activation: act, outputActivation: outAct, init, seed: spec.seed ?? 0 };

    const shapes = [];
    for (let l = 0; l + 1 < widths.length; l++) {
      shapes.push({ name: `layer${l}.weight`, rows: widths[l], cols: widths[l + 1] });
      shapes.push({ name: `layer${l}.bias`, rows: 1, cols: widths[l + 1] });
    }
    this.parameters = Parameters.allocate(shapes);
    const rng = new Rng(this.spec.seed);
    const layers: Dense[] = [];
    for (let l = 0; l + 1 < widths.length; l++) {
      const w = this.parameters.tensor(`layer${l}.weight`);
      const fanIn = widths[l];
      const fanOut = widths[l + 1];
      const std = init === 'he' ? Math.sqrt(2 / fanIn) : Math.sqrt(2 / (fanIn + fanOut));
      rng.fillNormal(w.data, 0, std);
      layers.push(new Dense(w, this.parameters.tensor(`layer${l}.bias`)));
    }
    this.layers = layers;
    const fusable = (name: ActivationName): DenseActivation | null => ((denseActivations as string[]).includes(name) ? (name as DenseActivation) : null);
    this.fused = layers.map((_, l) => fusable(l + 1 < layers.length ? act : outAct));
  }

  get inputSize(): number {
    return this.spec.widths[0];
  }

  get outputSize(): number {
    return this.spec.widths[this.spec.widths.length - 1];
  }

  /**
   * The outputs for a batch of rows x [n, inputs]: one fused dense op per layer (plus the activation
   * when it cannot be fused). The hidden layers' outputs live in buffers this model reuses once a
   * backward pass has gone through them (PyTorch's rule: back-propagate through a forward pass once,
   * or before the model's next forward pass; see tensor/activation-slots.ts).
   */
  forward(x: Tensor): Tensor {
    const leases: ActivationLease[] = [];
    const last = this.layers.length - 1;
    let h = x;
    for (let l = 0; l <= last; l++) {
      const layer = this.layers[l];
      const fused = this.fused[l];
      if (fused !== null) {
        const into = l < last ? this.slots.take(x.rows * layer.outputSize) : null;
        if (into !== null) leases.push(into);
        h = layer.forward(h, fused, into === null ? {} : { into });
      } else {
        h = layer.forward(h);
        h = l < last ? this.hidden(h) : this.output(h);
      }
    }
    // Without a tape nothing reads the hidden outputs any more; with one, its backward pass frees them.
    if (h.node === null) leases.forEach(releaseLease);
    return h;
  }

  /**
   * The forward pass keeping what per-example gradient norms need: each layer's input a_l and its
   * pre-activation z_l = a_l·W_l + b_l, the latter marked to retain its gradient δ_l after backward.
   */
  trace(x: Tensor): MlpTrace {
    const inputs: Tensor[] = [];
    const preActivations: Tensor[] = [];
    let h = x;
    for (let l = 0; l < this.layers.length; l++) {
      inputs.push(h);
      const z = this.layers[l].forward(h).retainGrad();
      preActivations.push(z);
      h = l + 1 < this.layers.length ? this.hidden(z) : this.output(z);
    }
    return { output: h, inputs, preActivations };
  }
}

/** What `Mlp.trace` keeps of a forward pass, layer by layer. */
export interface MlpTrace {
  output: Tensor;
  /** Input of each Dense layer [n, in_l] (the first is x). */
  inputs: Tensor[];
  /** Pre-activation of each Dense layer [n, out_l]; after backward, its `grad` holds δ_l. */
  preActivations: Tensor[];
}
