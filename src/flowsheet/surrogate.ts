/**
 * A unit surrogate: an MLP from a unit's inlet streams and parameters to its outlet streams, with
 * standardization folded into the forward pass so it is a drop-in `UnitModel` — differentiable, so
 * Newton gets exact Jacobians and fine-tuning backpropagates through it.
 *
 * @example
 * const s = UnitSurrogate.create('R1', data.units.R1, { hidden: [16], seed: 3 });
 * s.train(data.units.R1, { epochs: 200 });
 * const [outlet] = s.model([inlet], parameters);
 */
import { Adam } from '../nn/adam.js';
import { fit } from '../nn/fit.js';
import { Mlp } from '../nn/mlp.js';
import { cosineSchedule } from '../nn/schedules.js';
import { noGrad } from '../tensor/autodiff.js';
import { add, concat, div, matmul, mul, sliceCols, sub, transpose } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { UnitModel } from './sequential.js';

/** A unit's table: inputs [inlet streams…, parameters], outputs [outlet streams…]. */
export interface UnitTable {
  readonly inputs: Tensor;
  readonly outputs: Tensor;
  readonly outletCount: number;
}

export interface SurrogateOptions {
  /** Hidden layer widths. Default [16]. */
  hidden?: number[];
  /** Default 'tanh'. */
  activation?: 'tanh' | 'silu' | 'relu';
  /** Seed of the initial weights. Default 0. */
  seed?: number;
}

export interface SurrogateTrainOptions {
  /** Default 300. */
  epochs?: number;
  /** Default 32. */
  batchSize?: number;
  /** Adam learning rate. Default 3e-3. */
  lr?: number;
  /** Shuffling seed. Default 0. */
  seed?: number;
}

/** Column means and standard deviations, the latter floored so constant columns do not blow up. */
export interface Standardization {
  readonly mean: Tensor;
  readonly std: Tensor;
}

/** Per-column mean and std of `t`; a column's std is at least 1e-3·(|mean| + 1e-3). */
export function standardization(t: Tensor): Standardization {
  const mean = new Tensor(1, t.cols);
  const std = new Tensor(1, t.cols);
  for (let j = 0; j < t.cols; j++) {
    let s = 0;
    for (let i = 0; i < t.rows; i++) s += t.data[i * t.cols + j];
    const m = s / t.rows;
    let v = 0;
    for (let i = 0; i < t.rows; i++) v += (t.data[i * t.cols + j] - m) ** 2;
    mean.data[j] = m;
    std.data[j] = Math.max(Math.sqrt(v / t.rows), 1e-3 * (Math.abs(m) + 1e-3));
  }
  return { mean, std };
}

/** Whether column j varies in the data the standardization came from (its std is above the floor). */
export function varyingColumns(scale: Standardization): number[] {
  const out: number[] = [];
  for (let j = 0; j < scale.std.cols; j++) {
    if (scale.std.data[j] > 1.5e-3 * (Math.abs(scale.mean.data[j]) + 1e-3)) out.push(j);
  }
  return out;
}

/** The 0/1 matrix [from, columns.length] that picks `columns` (x · S selects them; y · Sᵀ scatters back). */
function selection(from: number, columns: readonly number[]): Tensor {
  const s = new Tensor(from, columns.length);
  columns.forEach((c, k) => {
    s.data[c * columns.length + k] = 1;
  });
  return s;
}

function pick(t: Tensor, columns: readonly number[]): Tensor {
  const out = new Tensor(1, columns.length);
  columns.forEach((c, k) => {
    out.data[k] = t.data[c];
  });
  return out;
}

/**
 * The MLP sees only the inputs that vary in the training data and predicts only the outputs that
 * vary; constant outputs (an outlet temperature fixed by the unit's specification, a component that
 * never reaches an outlet) are emitted as the constants they are, and constant inputs are ignored —
 * the data says nothing about their effect.
 */
export class UnitSurrogate {
  readonly unit: string;
  readonly mlp: Mlp;
  readonly input: Standardization;
  readonly output: Standardization;
  readonly outletCount: number;
  /** Input and output columns the MLP covers. */
  readonly inputColumns: readonly number[];
  readonly outputColumns: readonly number[];
  private readonly pickInputs: Tensor;
  private readonly pickOutputs: Tensor;
  private readonly scatterOutputs: Tensor;
  private readonly inMean: Tensor;
  private readonly inStd: Tensor;
  private readonly outMean: Tensor;
  private readonly outStd: Tensor;
  /** The constant outputs in place, zeros where the MLP predicts. */
  private readonly constantOutputs: Tensor;

  private constructor(unit: string, mlp: Mlp, input: Standardization, output: Standardization, outletCount: number) {
    this.unit = unit;
    this.mlp = mlp;
    this.input = input;
    this.output = output;
    this.outletCount = outletCount;
    this.inputColumns = varyingColumns(input);
    this.outputColumns = varyingColumns(output);
    this.pickInputs = selection(input.mean.cols, this.inputColumns);
    this.pickOutputs = selection(output.mean.cols, this.outputColumns);
    this.scatterOutputs = transpose(this.pickOutputs);
    this.inMean = pick(input.mean, this.inputColumns);
    this.inStd = pick(input.std, this.inputColumns);
    this.outMean = pick(output.mean, this.outputColumns);
    this.outStd = pick(output.std, this.outputColumns);
    this.constantOutputs = output.mean.detach();
    for (const j of this.outputColumns) this.constantOutputs.data[j] = 0;
  }

  /** A fresh surrogate sized and scaled for `table`. */
  static create(unit: string, table: UnitTable, options: SurrogateOptions = {}): UnitSurrogate {
    return UnitSurrogate.fromScaling(unit, { input: standardization(table.inputs), output: standardization(table.outputs), outletCount: table.outletCount }, options);
  }

  /** A fresh surrogate for given scalings (e.g. pooled across plants from their column sums). */
  static fromScaling(unit: string, scaling: { input: Standardization; output: Standardization; outletCount: number }, options: SurrogateOptions = {}): UnitSurrogate {
    const widths = [Math.max(1, varyingColumns(scaling.input).length), ...(options.hidden ?? [16]), Math.max(1, varyingColumns(scaling.output).length)];
    const mlp = new Mlp({ widths, activation: options.activation ?? 'tanh', seed: options.seed ?? 0 });
    return new UnitSurrogate(unit, mlp, scaling.input, scaling.output, scaling.outletCount);
  }

  /** Scaled varying inputs and targets of a table, for training. */
  scaled(table: UnitTable): { x: Tensor; y: Tensor } {
    return noGrad(() => ({
      x: div(sub(matmul(table.inputs, this.pickInputs), this.inMean), this.inStd),
      y: div(sub(matmul(table.outputs, this.pickOutputs), this.outMean), this.outStd),
    }));
  }

  /** Fits the MLP to `table` (standardized MSE, Adam). Returns the final epoch's loss. */
  train(table: UnitTable, options: SurrogateTrainOptions = {}): number {
    const { x, y } = this.scaled(table);
    const epochs = options.epochs ?? 300;
    const batchSize = options.batchSize ?? 32;
    const lr = options.lr ?? 3e-3;
    // Cosine decay to lr/100: the last epochs polish the fit instead of rattling around it.
    const totalSteps = epochs * Math.ceil(x.rows / batchSize);
    const history = fit(this.mlp, x, y, {
      epochs,
      batchSize,
      optimizer: new Adam(this.mlp.parameters, { lr: cosineSchedule(lr, { totalSteps, minLr: lr / 100 }) }),
      seed: options.seed ?? 0,
    });
    return history.epochLoss[history.epochLoss.length - 1];
  }

  /** Outputs [cases, outlets × width] in physical units for raw inputs [cases, inputs]. */
  predict(inputs: Tensor): Tensor {
    const z = this.mlp.forward(div(sub(matmul(inputs, this.pickInputs), this.inMean), this.inStd));
    return add(matmul(add(mul(z, this.outStd), this.outMean), this.scatterOutputs), this.constantOutputs);
  }

  /** This surrogate as a flowsheet unit model. */
  get model(): UnitModel {
    return (inlets, parameters) => {
      const inputs = concat(parameters === null ? [...inlets] : [...inlets, parameters], 1);
      const out = this.predict(inputs);
      const w = out.cols / this.outletCount;
      return Array.from({ length: this.outletCount }, (_, k) => sliceCols(out, k * w, (k + 1) * w));
    };
  }
}
