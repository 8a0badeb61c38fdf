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
    return UnitSurrogate.fromScaling(unit, { input: standardization(table.inputs), output: standardization(table.outputs), outletCount: table.outletCount }, options);
  }

  /** A fresh surrogate for given scalings (e.g. pooled across plants from their column sums). */
  static fromScaling(unit: string, scaling: { input: Standardization; output: Standardization; outletCount: number }, options: SurrogateOptions = {}): UnitSurrogate {
    const widths = [scaling.input.mean.cols, ...(options.hidden ?? [16]), scaling.output.mean.cols];
    const mlp = new Mlp({ widths, activation: options.activation ?? 'tanh', seed: options.seed ?? 0 });
    return new UnitSurrogate(unit, mlp, scaling.input, scaling.output, scaling.outletCount);
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
