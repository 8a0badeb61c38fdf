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
import { noGrad } from '../tensor/autodiff.js';
import { add, concat, div, mul, sliceCols, sub } from '../tensor/ops/index.js';
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

export class UnitSurrogate {
  readonly unit: string;
  readonly mlp: Mlp;
  readonly input: Standardization;
  readonly output: Standardization;
  readonly outletCount: number;

  private constructor(unit: string, mlp: Mlp, input: Standardization, output: Standardization, outletCount: number) {
    this.unit = unit;
    this.mlp = mlp;
    this.input = input;
    this.output = output;
    this.outletCount = outletCount;
  }

  /** A fresh surrogate sized and scaled for `table`. */
  static create(unit: string, table: UnitTable, options: SurrogateOptions = {}): UnitSurrogate {
    const widths = [table.inputs.cols, ...(options.hidden ?? [16]), table.outputs.cols];
    const mlp = new Mlp({ widths, activation: options.activation ?? 'tanh', seed: options.seed ?? 0 });
    return new UnitSurrogate(unit, mlp, standardization(table.inputs), standardization(table.outputs), table.outletCount);
  }

  /** Scaled inputs and targets of a table, for training. */
  scaled(table: UnitTable): { x: Tensor; y: Tensor } {
    return noGrad(() => ({
      x: div(sub(table.inputs, this.input.mean), this.input.std),
      y: div(sub(table.outputs, this.output.mean), this.output.std),
    }));
  }

  /** Fits the MLP to `table` (standardized MSE, Adam). Returns the final epoch's loss. */
  train(table: UnitTable, options: SurrogateTrainOptions = {}): number {
    const { x, y } = this.scaled(table);
    const history = fit(this.mlp, x, y, {
      epochs: options.epochs ?? 300,
      batchSize: options.batchSize ?? 32,
      optimizer: new Adam(this.mlp.parameters, { lr: options.lr ?? 3e-3 }),
      seed: options.seed ?? 0,
    });
    return history.epochLoss[history.epochLoss.length - 1];
  }

  /** Outputs [cases, outlets × width] in physical units for raw inputs [cases, inputs]. */
  predict(inputs: Tensor): Tensor {
    const z = this.mlp.forward(div(sub(inputs, this.input.mean), this.input.std));
    return add(mul(z, this.output.std), this.output.mean);
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

/**
 * Coefficient of determination pooled over columns, each column standardized by `std` first:
 * 1 − Σ_j SSE_j/std_j² / Σ_j SST_j/std_j². Columns listed in `columns` only (default all).
 */
export function pooledR2(prediction: Float64Array, target: Float64Array, cols: number, options: { std?: Float64Array; columns?: readonly number[] } = {}): number {
  const rows = target.length / cols;
  const columns = options.columns ?? Array.from({ length: cols }, (_, j) => j);
  let sse = 0;
  let sst = 0;
  for (const j of columns) {
    let m = 0;
    for (let i = 0; i < rows; i++) m += target[i * cols + j];
    m /= rows;
    const w = options.std === undefined ? 1 : 1 / options.std[j] ** 2;
    for (let i = 0; i < rows; i++) {
      sse += w * (prediction[i * cols + j] - target[i * cols + j]) ** 2;
      sst += w * (target[i * cols + j] - m) ** 2;
    }
  }
  return sst === 0 ? (sse === 0 ? 1 : -Infinity) : 1 - sse / sst;
}
