/**
 * A process model with a shared body and a few plant-local parameters, trained together:
 *
 *   y_p(z) = body(φ(z + s_p)) + o_p
 *
 * on standardized inputs z. The body (weights of a polynomial response surface φ followed by an
 * MLP, or an MLP on z itself) is federated; the input shift s_p and output offset o_p stay at the
 * plant (`keepPlantParametersLocal`, FedPer-style; Arivazhagan et al. 2019). Plants of one process
 * differ by catalyst activity and analyser offsets, which act like a shift of the reaction
 * temperature and an offset of the compositions: fitting those jointly with the shared body keeps
 * the body from absorbing plant differences, so it describes one consistent process across
 * every plant's operating window — which post-hoc calibration of a body trained on mixed plants
 * cannot undo. This is the mixed-effects model of response-surface methodology (Box & Draper,
 * "Response Surfaces, Mixtures, and Ridge Analyses", 2007, ch. 3 and 11), trained by federation.
 *
 * @example
 * const model = new PlantAdaptedModel({ inputSize: 2, outputSize: 6, degree: 3, seed: 1 });
 * const local = keepPlantParametersLocal(model.indicesOf('plant'));
 */
import { Rng } from '../tensor/rng.js';
import { Tensor, shapeOf } from '../tensor/tensor.js';
import { add, concat, mul, sliceCols } from '../tensor/ops/index.js';
import { activation, type ActivationName } from '../nn/activation.js';
import { Dense } from '../nn/dense.js';
import type { Model } from '../nn/mlp.js';
import { Parameters, type ParameterShape } from '../nn/parameters.js';

export interface PlantAdaptedModelSpec {
  inputSize: number;
  outputSize: number;
  /** Degree of the polynomial features φ of the (shifted) inputs; 1 = the inputs themselves. Default 1. */
  degree?: number;
  /** Hidden widths of the body after φ; [] = a linear map (a response surface). Default []. */
  hidden?: number[];
  /** Hidden activation. Default 'tanh'. */
  activation?: ActivationName;
  /** Which plant-local parameters exist. Default both. */
  plantParameters?: { inputShift?: boolean; outputOffset?: boolean };
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

/** The monomials of degree 1…d in the columns of z, in a fixed order (graded lexicographic). */
export function monomialExponents(inputs: number, degree: number): number[][] {
  const out: number[][] = [];
  const walk = (prefix: number[], left: number): void => {
    if (prefix.length === inputs - 1) {
      out.push([...prefix, left]);
      return;
    }
    for (let e = left; e >= 0; e--) walk([...prefix, e], left - e);
  };
  for (let d = 1; d <= degree; d++) walk([], d);
  return out;
}

export class PlantAdaptedModel implements Model {
  readonly spec: Required<Omit<PlantAdaptedModelSpec, 'plantParameters'>> & { plantParameters: { inputShift: boolean; outputOffset: boolean } };
  readonly parameters: Parameters;
  private readonly exponents: number[][];
  private readonly layers: Dense[];
  private readonly act: (x: Tensor) => Tensor;

  constructor(spec: PlantAdaptedModelSpec) {
    const degree = spec.degree ?? 1;
    const hidden = spec.hidden ?? [];
    for (const [k, v] of [['inputSize', spec.inputSize], ['outputSize', spec.outputSize], ['degree', degree]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`PlantAdaptedModel: ${k} must be a positive integer, got ${v}`);
    }
    if (hidden.some((w) => !Number.isInteger(w) || w <= 0)) throw new RangeError(`PlantAdaptedModel: hidden widths must be positive integers, got [${hidden}]`);
    const plantParameters = { inputShift: spec.plantParameters?.inputShift ?? true, outputOffset: spec.plantParameters?.outputOffset ?? true };
    this.spec = { inputSize: spec.inputSize, outputSize: spec.outputSize, degree, hidden: [...hidden], activation: spec.activation ?? 'tanh', plantParameters, seed: spec.seed ?? 0 };
    this.act = activation(this.spec.activation, 'PlantAdaptedModel activation');
    this.exponents = monomialExponents(spec.inputSize, degree);
    const widths = [this.exponents.length, ...hidden, spec.outputSize];
    const shapes: ParameterShape[] = [];
    if (plantParameters.inputShift) shapes.push({ name: 'plant.inputShift', rows: 1, cols: spec.inputSize });
    if (plantParameters.outputOffset) shapes.push({ name: 'plant.outputOffset', rows: 1, cols: spec.outputSize });
    for (let l = 0; l + 1 < widths.length; l++) {
      shapes.push({ name: `body.layer${l}.weight`, rows: widths[l], cols: widths[l + 1] });
      shapes.push({ name: `body.layer${l}.bias`, rows: 1, cols: widths[l + 1] });
    }
    this.parameters = Parameters.allocate(shapes);
    const rng = new Rng(this.spec.seed);
    this.layers = [];
    for (let l = 0; l + 1 < widths.length; l++) {
      const w = this.parameters.tensor(`body.layer${l}.weight`);
      // Glorot normal; the response surface's coefficients start at zero (a convex least-squares start).
      if (widths.length > 2) rng.fillNormal(w.data, 0, Math.sqrt(2 / (widths[l] + widths[l + 1])));
      this.layers.push(new Dense(w, this.parameters.tensor(`body.layer${l}.bias`)));
    }
  }

  get inputSize(): number {
    return this.spec.inputSize;
  }

  get outputSize(): number {
    return this.spec.outputSize;
  }

  /** Polynomial features φ(z) [n, terms]. */
  features(z: Tensor): Tensor {
    if (this.spec.degree === 1) return z;
    const columns = Array.from({ length: z.cols }, (_, j) => sliceCols(z, j, j + 1));
    const terms = this.exponents.map((powers) => {
      let t: Tensor | undefined;
      powers.forEach((p, j) => {
        for (let r = 0; r < p; r++) t = t === undefined ? columns[j] : mul(t, columns[j]);
      });
      return t!;
    });
    return concat(terms, 1);
  }

  /** z + s_p, the inputs as the shared body sees them. */
  shifted(z: Tensor): Tensor {
    if (z.cols !== this.inputSize) throw new RangeError(`PlantAdaptedModel: input ${shapeOf(z)} has ${z.cols} columns, the model expects ${this.inputSize}`);
    return this.spec.plantParameters.inputShift ? add(z, this.parameters.tensor('plant.inputShift')) : z;
  }

  forward(z: Tensor): Tensor {
    let h = this.features(this.shifted(z));
    this.layers.forEach((layer, l) => {
      h = layer.forward(h);
      if (l + 1 < this.layers.length) h = this.act(h);
    });
    return this.spec.plantParameters.outputOffset ? add(h, this.parameters.tensor('plant.outputOffset')) : h;
  }

  /** Positions in the flat parameter vector of the plant-local ('plant') or federated ('shared') parameters. */
  indicesOf(scope: 'plant' | 'shared'): Int32Array {
    const out: number[] = [];
    for (const e of this.parameters.entries) {
      if (e.name.startsWith('plant.') === (scope === 'plant')) for (let k = 0; k < e.rows * e.cols; k++) out.push(e.offset + k);
    }
    return Int32Array.from(out);
  }
}
