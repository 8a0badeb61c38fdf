/**
 * Hybrid (physics-based) models: physical equations with a few learnable parameters, written with
 * the core's differentiable ops, optionally plus a small neural residual. A `HybridModel` is a
 * `Model` like any MLP — one flat parameter vector — so the federated machinery (strategies, secure
 * aggregation, differential privacy) trains it unchanged.
 *
 * Each physical parameter declares
 * - its physical initial value and a transform (`transforms.ts`) that keeps it feasible
 *   (positive rate constants, efficiencies in (lo, hi)); the flat vector holds the raw values;
 * - its scope: `shared` parameters (material properties, kinetics of a common catalyst) are
 *   federated; `plant` parameters (a plant's furnace efficiency, its catalyst activity) are
 *   personal — they stay at the plant (see `plant-parameters.ts`: partial federation, as in
 *   FedPer, Arivazhagan et al. 2019, and pFedMe-style personalization of a few parameters).
 *
 * The optional residual is an MLP on standardised inputs whose output (times `outputScale`) is
 * added to the physics; its last layer starts at zero, so training starts from the pure physical
 * model and the residual only learns what the equations miss.
 *
 * Inputs and outputs are in physical units: run federations of hybrid models without the
 * federation's feature scaling (`featureScaling: false`), which would feed the equations
 * standardised numbers.
 *
 * @example
 * const model = new HybridModel({
 *   inputSize: 1, outputSize: 1,
 *   parameters: [
 *     { name: 'rateConstant', initial: 0.5, transform: { kind: 'log' }, unit: '1/h' },
 *     { name: 'efficiency', initial: 0.7, transform: { kind: 'bounded', lo: 0.4, hi: 0.95 }, scope: 'plant' },
 *   ],
 *   equations: (p, x) => mul(exp(mul(x, neg(p.rateConstant))), p.efficiency), // y = η·e^(−k·t)
 * });
 * model.physicalValues(); // { rateConstant: [0.5], efficiency: [0.7] }
 */
import { activation, type ActivationName } from '../nn/activation.js';
import { Dense } from '../nn/dense.js';
import type { Model } from '../nn/mlp.js';
import { Parameters, type ParameterShape } from '../nn/parameters.js';
import { add, mul, sub, div } from '../tensor/ops/index.js';
import { noGrad } from '../tensor/autodiff.js';
import { Rng } from '../tensor/rng.js';
import { Tensor, shapeOf } from '../tensor/tensor.js';
import { applyTransform, checkTransform, toRaw, transformValue, type ParameterTransform } from './transforms.js';

/** Whether a parameter is federated (`shared`) or kept at each plant (`plant`). */
export type ParameterScope = 'shared' | 'plant';

/** One learnable physical parameter (a scalar or a short vector of them). */
export interface PhysicalParameterSpec {
  /** Name used in the equations (`p.<name>`) and in the flat vector (`physics.<name>`). */
  readonly name: string;
  /** Initial physical value(s); an array makes a [1, k] parameter. */
  readonly initial: number | readonly number[];
  /** Default `{ kind: 'identity' }`. */
  readonly transform?: ParameterTransform;
  /** Default 'shared'. */
  readonly scope?: ParameterScope;
  /** Unit of the physical value, for reports (e.g. 'K', 'kWh/t'). */
  readonly unit?: string;
  readonly description?: string;
}

/** The neural residual added to the physics. */
export interface ResidualSpec {
  /** Hidden-layer widths, e.g. [16]. */
  readonly hidden: readonly number[];
  /** Default 'tanh'. */
  readonly activation?: ActivationName;
  /** Fixed input standardisation (x − mean)/std per column. Default mean 0, std 1. */
  readonly inputMean?: readonly number[];
  readonly inputStd?: readonly number[];
  /** Residual output multiplied by this per output (its natural size). Default 1. */
  readonly outputScale?: number | readonly number[];
  /** Seed of the hidden layers' initial weights. Default 0. */
  readonly seed?: number;
}

/** The physical values the equations receive: one [1, k] tensor per parameter, on the tape. */
export type PhysicalValues = Readonly<Record<string, Tensor>>;

export interface HybridModelSpec {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly parameters: readonly PhysicalParameterSpec[];
  /** The physical model: inputs [n, inputSize] → outputs [n, outputSize], built from differentiable ops. */
  readonly equations: (p: PhysicalValues, x: Tensor) => Tensor;
  readonly residual?: ResidualSpec;
}

export class HybridModel implements Model {
  readonly spec: HybridModelSpec;
  readonly parameters: Parameters;
  private readonly physical: ReadonlyArray<{ spec: PhysicalParameterSpec; transform: ParameterTransform; raw: Tensor; size: number }>;
  private readonly residualLayers: readonly Dense[];
  private readonly residualActivation: (x: Tensor) => Tensor;
  private readonly residualIn?: { mean: Tensor; std: Tensor };
  private readonly residualOut?: Tensor;

  constructor(spec: HybridModelSpec) {
    for (const [k, v] of [['inputSize', spec.inputSize], ['outputSize', spec.outputSize]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`HybridModel: ${k} must be a positive integer, got ${v}`);
    }
    if (spec.parameters.length === 0 && spec.residual === undefined) throw new RangeError('HybridModel: declare at least one physical parameter or a residual');
    this.spec = spec;
    const shapes: ParameterShape[] = spec.parameters.map((p) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(p.name)) throw new RangeError(`HybridModel: parameter name '${p.name}' must be an identifier`);
      const size = typeof p.initial === 'number' ? 1 : p.initial.length;
      if (size === 0) throw new RangeError(`HybridModel: parameter '${p.name}' has an empty initial value`);
      if (p.scope !== undefined && p.scope !== 'shared' && p.scope !== 'plant') {
        throw new RangeError(`HybridModel: parameter '${p.name}' has scope '${String(p.scope)}': expected 'shared' or 'plant'`);
      }
      return { name: `physics.${p.name}`, rows: 1, cols: size };
    });
    const widths = spec.residual === undefined ? [] : [spec.inputSize, ...spec.residual.hidden, spec.outputSize];
    if (widths.some((w) => !Number.isInteger(w) || w <= 0)) throw new RangeError(`HybridModel: residual widths must be positive integers, got [${widths}]`);
    for (let l = 0; l + 1 < widths.length; l++) {
      shapes.push({ name: `residual.layer${l}.weight`, rows: widths[l], cols: widths[l + 1] });
      shapes.push({ name: `residual.layer${l}.bias`, rows: 1, cols: widths[l + 1] });
    }
    this.parameters = Parameters.allocate(shapes);

    this.physical = spec.parameters.map((p) => {
      const transform = p.transform ?? { kind: 'identity' };
      checkTransform(transform, `HybridModel parameter '${p.name}'`);
      const raw = this.parameters.tensor(`physics.${p.name}`);
      const initial = typeof p.initial === 'number' ? [p.initial] : p.initial;
      initial.forEach((v, i) => (raw.data[i] = toRaw(transform, v, `HybridModel parameter '${p.name}'[${i}]`)));
      return { spec: p, transform, raw, size: initial.length };
    });

    const r = spec.residual;
    this.residualActivation = activation(r?.activation ?? 'tanh', 'HybridModel residual activation');
    const layers: Dense[] = [];
    const rng = new Rng(r?.seed ?? 0);
    for (let l = 0; l + 1 < widths.length; l++) {
      const w = this.parameters.tensor(`residual.layer${l}.weight`);
      // The last layer starts at zero: the model starts as the pure physics.
      if (l + 2 < widths.length) rng.fillNormal(w.data, 0, Math.sqrt(2 / (widths[l] + widths[l + 1])));
      layers.push(new Dense(w, this.parameters.tensor(`residual.layer${l}.bias`)));
    }
    this.residualLayers = layers;
    if (r !== undefined) {
      const vec = (v: number | readonly number[] | undefined, n: number, fill: number, what: string): Tensor => {
        const arr = v === undefined ? new Array<number>(n).fill(fill) : typeof v === 'number' ? new Array<number>(n).fill(v) : [...v];
        if (arr.length !== n) throw new RangeError(`HybridModel residual: ${what} has ${arr.length} values, expected ${n}`);
        return Tensor.from(arr);
      };
      this.residualIn = { mean: vec(r.inputMean, spec.inputSize, 0, 'inputMean'), std: vec(r.inputStd, spec.inputSize, 1, 'inputStd') };
      this.residualOut = vec(r.outputScale, spec.outputSize, 1, 'outputScale');
    }
  }

  get inputSize(): number {
    return this.spec.inputSize;
  }

  get outputSize(): number {
    return this.spec.outputSize;
  }

  forward(x: Tensor): Tensor {
    if (x.cols !== this.inputSize) throw new RangeError(`HybridModel.forward: input ${shapeOf(x)} has ${x.cols} columns, the model expects ${this.inputSize}`);
    const values: Record<string, Tensor> = {};
    for (const p of this.physical) values[p.spec.name] = applyTransform(p.transform, p.raw);
    let y = this.spec.equations(values, x);
    if (y.rows !== x.rows || y.cols !== this.outputSize) {
      throw new RangeError(`HybridModel.forward: equations returned ${shapeOf(y)} for ${x.rows} rows; expected [${x.rows}, ${this.outputSize}]`);
    }
    if (this.residualLayers.length > 0) {
      let h = div(sub(x, this.residualIn!.mean), this.residualIn!.std);
      this.residualLayers.forEach((layer, l) => {
        h = layer.forward(h);
        if (l + 1 < this.residualLayers.length) h = this.residualActivation(h);
      });
      y = add(y, mul(h, this.residualOut!));
    }
    return y;
  }

  /** The physical values of every parameter now (transforms applied), by name. */
  physicalValues(): Record<string, number[]> {
    return noGrad(() => Object.fromEntries(this.physical.map((p) => [p.spec.name, Array.from(p.raw.data, (r) => transformValue(p.transform, r))])));
  }

  /** Sets a parameter's physical value(s) (e.g. a known plant efficiency). */
  setPhysicalValue(name: string, value: number | readonly number[]): void {
    const p = this.physical.find((q) => q.spec.name === name);
    if (p === undefined) throw new RangeError(`HybridModel.setPhysicalValue: no parameter '${name}' (have ${this.physical.map((q) => q.spec.name).join(', ')})`);
    const values = typeof value === 'number' ? [value] : value;
    if (values.length !== p.size) throw new RangeError(`HybridModel.setPhysicalValue: '${name}' has ${p.size} values, got ${values.length}`);
    values.forEach((v, i) => (p.raw.data[i] = toRaw(p.transform, v, `parameter '${name}'[${i}]`)));
  }

  /** Positions in the flat parameter vector of parameters with the given scope (the residual counts as shared). */
  indicesOf(scope: ParameterScope): Int32Array {
    const out: number[] = [];
    const plantNames = new Set(this.physical.filter((p) => (p.spec.scope ?? 'shared') === 'plant').map((p) => `physics.${p.spec.name}`));
    for (const e of this.parameters.entries) {
      const isPlant = plantNames.has(e.name);
      if ((scope === 'plant') === isPlant) for (let k = 0; k < e.rows * e.cols; k++) out.push(e.offset + k);
    }
    return Int32Array.from(out);
  }

  /** What the model definition declares, for docs and reports: name, scope, transform, unit, value. */
  describe(): Array<{ name: string; scope: ParameterScope; transform: string; unit?: string; value: number[]; description?: string }> {
    const values = this.physicalValues();
    return this.physical.map((p) => ({
      name: p.spec.name,
      scope: p.spec.scope ?? 'shared',
      transform: p.transform.kind === 'bounded' ? `bounded(${p.transform.lo}, ${p.transform.hi})` : p.transform.kind,
      unit: p.spec.unit,
      value: values[p.spec.name],
      description: p.spec.description,
    }));
  }
}
