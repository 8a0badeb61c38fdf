/**
 * What the demo's setpoint cases share: a plant's case (its problem for a model, how the true plant
 * scores an answer, the true optimum), limit checks, the steady-state view of a lagged model and the
 * trust region each model carries in its own feature statistics.
 *
 * @example
 * const surrogate = steadyStateSurrogate(model, ['D_per_h', 'q_kJ_per_h_L', 'cA0_mol_per_L', 'T0_degC'], 6);
 * const region = trustRegionOf(model, surrogate.inputNames, 6);
 */
import type { ProcessModel } from '../nn/process-model.js';
import type { SetpointProblem } from '../optimize/problem.js';
import type { InputDistribution, SetpointResult } from '../optimize/setpoint.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { noGrad } from '../tensor/autodiff.js';
import { matmul } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import type { DemoPlant } from './plants.js';

/** One process limit, checked on the true plant at the recommendation. */
export interface LimitCheck {
  name: string;
  /** The true value at the implemented setpoints. */
  value: number;
  /** How far the limit is exceeded (0 when met), in the limit's units. */
  violation: number;
}

/** Mahalanobis radius of the trust region: √χ²₄(0.95) ≈ 3.08, so ~95 % of Gaussian training inputs lie within it. */
export const maxMahalanobis = 3;

/** What one plant's case gives the loop: its problem for a model, how the true plant scores an answer, and the true optimum. */
export interface PlantCase {
  problem(model: ProcessSurrogate): SetpointProblem;
  score(result: SetpointResult): { implemented: Record<string, number>; profit: number; limits: LimitCheck[]; openLoop?: { profit: number; limits: LimitCheck[] } };
  optimum: { profit: number; setpoints: Record<string, number>; active: string[] };
}

/** A scenario's cases: one per plant and model (the problem's back-off depends on the model), and the problem in words. */
export interface ScenarioCases {
  /** The plant's case for a model (a trained network, or a surrogate in the raw inputs), or why there is none (its true plant cannot meet the limits at all). */
  caseFor(plant: DemoPlant, model: ProcessSurrogate): PlantCase | { unreachable: string };
  description: string;
}

/**
 * The steady-state view of a lagged model: inputs are the raw process inputs, each copied to all of
 * its lag columns (features are laid out input by input, lags ascending — `featureColumns`).
 */
export function steadyStateSurrogate(model: ProcessModel, rawInputs: readonly string[], lagsPerInput: number): ProcessSurrogate & { scaling: ProcessModel['scaling'] } {
  if (rawInputs.length * lagsPerInput !== model.inputNames.length) {
    throw new RangeError(`steadyStateSurrogate: ${rawInputs.length} inputs × ${lagsPerInput} lags ≠ ${model.inputNames.length} model inputs`);
  }
  const copy = new Tensor(rawInputs.length, model.inputNames.length);
  for (let i = 0; i < rawInputs.length; i++) for (let k = 0; k < lagsPerInput; k++) copy.data[i * model.inputNames.length + i * lagsPerInput + k] = 1;
  return { inputNames: rawInputs, outputNames: model.outputNames, scaling: model.scaling, predict: (u: Tensor) => model.predict(matmul(u, copy)) };
}

/**
 * Where a model has data: mean and (diagonal) covariance of the raw inputs from the feature statistics
 * it was scaled with (the lag-0 column of each input). Secure aggregation sums only per-feature sums
 * and squares, so the federated statistics give no cross-covariances — hence diagonal, for every model alike.
 */
export function trustRegionOf(model: ProcessModel, rawInputs: readonly string[], lagsPerInput: number): InputDistribution {
  const m = rawInputs.length;
  const mean = new Float64Array(m);
  const covariance = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    mean[i] = model.scaling.featureMean[i * lagsPerInput];
    covariance[i * m + i] = model.scaling.featureStd[i * lagsPerInput] ** 2;
  }
  return { mean, covariance };
}

/** Root-mean-square error of `model`'s output `name` on rows `data` (physical units). */
export function residualStd(model: ProcessSurrogate, data: { x: Tensor; y: Tensor }, name: string): number {
  const j = model.outputNames.indexOf(name);
  if (j < 0) throw new RangeError(`residualStd: no output '${name}' among ${model.outputNames.join(', ')}`);
  const predicted = noGrad(() => model.predict(data.x));
  const k = model.outputNames.length;
  let sse = 0;
  for (let r = 0; r < data.y.rows; r++) sse += (predicted.data[r * k + j] - data.y.data[r * k + j]) ** 2;
  return Math.sqrt(sse / data.y.rows);
}

/** A limit check: violation above (sense '<=') or below ('>=') `limit`, 0 within a tolerance of 1e-6 relative. */
export function checkLimit(name: string, value: number, sense: '<=' | '>=', limit: number): LimitCheck {
  const excess = sense === '<=' ? value - limit : limit - value;
  return { name, value, violation: excess > 1e-6 * Math.max(1, Math.abs(limit)) ? excess : 0 };
}
