/**
 * End-to-end fine-tuning of unit surrogates through the unrolled tear solver (Esders, Fernandez
 * Ramirez, Gastegger & Samal, "Scaling up machine learning-based chemical plant simulation: a method
 * for fine-tuning a model to induce stable fixed points", Comput. Chem. Eng. 2024, arXiv 2307.13621).
 *
 * Each step draws a minibatch of operating points, starts the tear streams from a perturbed guess
 * (the true tear values plus scaled Gaussian noise), unrolls K direct-substitution passes (K drawn
 * from 0..maxUnroll), and penalises the distance of the next pass's tear and product streams to the
 * true steady state — so the surrogates learn to pull the iteration towards the right fixed point —
 * plus the ordinary single-unit losses, which keep each unit accurate on its own data.
 *
 * @example
 * const history = fineTune(sf, trainData, { steps: 400, seed: 1 });
 */
import { Adam } from '../nn/adam.js';
import { clipGradNorm } from '../nn/clip.js';
import { mse } from '../nn/losses.js';
import { cosineSchedule } from '../nn/schedules.js';
import { backward } from '../tensor/autodiff.js';
import { add, div, mean, mul, square, sub } from '../tensor/ops/index.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { type FlowsheetInputs, selectRows } from './sequential.js';
import type { SurrogateFlowsheet, SurrogateTrainingData } from './surrogate-flowsheet.js';

/** Flowsheet-level training cases: what drives them and their true steady states. */
export interface SteadyStateCases extends SurrogateTrainingData {
  readonly inputs: FlowsheetInputs;
}

export interface FineTuneOptions {
  /** Optimizer steps. Default 400. */
  steps?: number;
  /** Operating points per step. Default 32. */
  batchSize?: number;
  /** K is drawn uniformly from 0..maxUnroll each step. Default 10. */
  maxUnroll?: number;
  /** Std of the initial-guess perturbation, in units of the tear streams' training std. Default 1. */
  noise?: number;
  /** Weight of the single-unit losses. Default 1. */
  unitLossWeight?: number;
  /** Adam learning rate, decayed by a cosine to lr/20 over the steps. Default 1e-3. */
  lr?: number;
  /** Per-unit gradient norm clip. Default 10. */
  clipNorm?: number;
  seed?: number;
  /** Called after each step. */
  onStep?: (info: { step: number; loss: number; endToEnd: number; unit: number; unroll: number }) => void;
}

/** Rows `indices` of every feed, parameter and target. */
export function selectCases(data: SteadyStateCases, indices: ArrayLike<number>): SteadyStateCases {
  const pick = (t: Tensor): Tensor => {
    const out = new Tensor(indices.length, t.cols);
    for (let r = 0; r < indices.length; r++) out.data.set(t.data.subarray(indices[r] * t.cols, (indices[r] + 1) * t.cols), r * t.cols);
    return out;
  };
  return {
    inputs: selectRows(data.inputs, Array.from(indices)),
    tears: pick(data.tears),
    products: Object.fromEntries(Object.entries(data.products).map(([k, t]) => [k, pick(t)])),
    units: Object.fromEntries(Object.entries(data.units).map(([k, u]) => [k, { inputs: pick(u.inputs), outputs: pick(u.outputs), outletCount: u.outletCount }])),
  };
}

/**
 * The end-to-end loss after K unrolled substitution passes from `x0` [cases, tearSize]: the mean
 * squared standardized error of the next pass's tear streams and of every product stream.
 */
export function unrolledLoss(sf: SurrogateFlowsheet, cases: SteadyStateCases, x0: Tensor, unroll: number): Tensor {
  let x = x0;
  for (let k = 0; k < unroll; k++) x = sf.evaluator.pass(x, cases.inputs).tearOut;
  const last = sf.evaluator.pass(x, cases.inputs);
  let loss = mean(square(div(sub(last.tearOut, cases.tears), sf.tearScale.std)));
  const names = Object.keys(sf.productScale);
  for (const name of names) {
    const stream = last.streams[sf.flowsheet.stream(name).index];
    const term = mean(square(div(sub(stream, cases.products[name]), sf.productScale[name].std)));
    loss = add(loss, mul(term, 1 / names.length));
  }
  return loss;
}

/** Runs the fine-tuning; returns the loss of every step. */
export function fineTune(sf: SurrogateFlowsheet, data: SteadyStateCases, options: FineTuneOptions = {}): number[] {
  const steps = options.steps ?? 400;
  const batchSize = Math.min(options.batchSize ?? 32, data.tears.rows);
  const maxUnroll = options.maxUnroll ?? 10;
  const noise = options.noise ?? 1;
  const weight = options.unitLossWeight ?? 1;
  const clip = options.clipNorm ?? 10;
  const rng = new Rng(options.seed ?? 0);
  const units = sf.flowsheet.units.map((u) => sf.surrogates[u.name]);
  const lr = options.lr ?? 1e-3;
  const schedule = cosineSchedule(lr, { totalSteps: steps, minLr: lr / 20 });
  const optimizers = units.map((s) => new Adam(s.mlp.parameters, { lr: schedule }));
  const scaledTables = units.map((s) => s.scaled(data.units[s.unit]));
  const n = data.tears.rows;
  const size = sf.evaluator.tearSize;
  const history: number[] = [];
  for (let step = 0; step < steps; step++) {
    const indices = Array.from({ length: batchSize }, () => rng.int(n));
    const batch = selectCases(data, indices);
    const unroll = rng.int(maxUnroll + 1);
    const x0 = new Tensor(batchSize, size);
    for (let c = 0; c < batchSize; c++) {
      const magnitude = rng.uniform(0, noise);
      for (let i = 0; i < size; i++) {
        x0.data[c * size + i] = batch.tears.data[c * size + i] + magnitude * sf.tearScale.std.data[i] * rng.normal();
      }
    }
    for (const s of units) s.mlp.parameters.zeroGrad();
    const endToEnd = unrolledLoss(sf, batch, x0, unroll);
    let unitLoss: Tensor | null = null;
    units.forEach((s, u) => {
      const rows = Array.from({ length: batchSize }, () => rng.int(scaledTables[u].x.rows));
      const { x, y } = pickRows(scaledTables[u], rows);
      const l = mse(s.mlp.forward(x), y);
      unitLoss = unitLoss === null ? l : add(unitLoss, l);
    });
    const total = add(endToEnd, mul(unitLoss!, weight / units.length));
    const value = total.item();
    if (!Number.isFinite(value)) {
      history.push(value);
      continue; // a diverging unroll gives no usable gradient: skip the step
    }
    backward(total);
    for (let u = 0; u < units.length; u++) {
      clipGradNorm(units[u].mlp.parameters.grads, clip);
      optimizers[u].step();
    }
    history.push(value);
    options.onStep?.({ step, loss: value, endToEnd: endToEnd.item(), unit: unitLoss!.item() / units.length, unroll });
  }
  for (const s of units) s.mlp.parameters.zeroGrad();
  return history;
}

function pickRows(table: { x: Tensor; y: Tensor }, rows: number[]): { x: Tensor; y: Tensor } {
  const take = (t: Tensor): Tensor => {
    const out = new Tensor(rows.length, t.cols);
    rows.forEach((r, i) => out.data.set(t.data.subarray(r * t.cols, (r + 1) * t.cols), i * t.cols));
    return out;
  };
  return { x: take(table.x), y: take(table.y) };
}
