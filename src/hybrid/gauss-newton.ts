/**
 * Federated Gauss–Newton (Levenberg–Marquardt) for hybrid models with few parameters. Physics
 * models are small (a dozen parameters) but badly conditioned — a rate and its activation energy,
 * two competing reactions — so first-order federated training crawls along their valleys for
 * hundreds of rounds. Second-order steps need only p + p² numbers per plant and round:
 *
 * - each plant sends the gradient g_i of its mean squared error and its Gauss–Newton matrix
 *   H_i = (2/(n_i K)) J_iᵀJ_i (J: Jacobian of its predictions with respect to the raw parameters,
 *   by forward differences; the gradient exactly, from the tape);
 * - the coordinator pools them as sample-weighted means (the gradient and Gauss–Newton matrix of
 *   the pooled loss: exactly what one would get with all data in one place) and takes the damped
 *   step (H + λ diag H + εI) Δ = −g (Levenberg 1944; Marquardt 1963), with λ adapted from the
 *   pooled loss: a step that raised it is retaken from the previous point with λ × 4 (no round is
 *   lost), an accepted one lowers λ by 3.
 *
 * Plant-specific parameters (scope 'plant', kept local by `keepPlantParametersLocal`, which must
 * wrap this middleware) are eliminated at the plant: it first re-solves its own block for the
 * current shared values (a few Gauss–Newton steps on it alone), then sends the Schur complement
 * H̃ = H_ss − H_sl H_ll⁻¹ H_ls and g̃ = g_s − H_sl H_ll⁻¹ g_l — the reduced system of the shared
 * parameters, as in variable projection (Golub & Pereyra 1973) and bundle adjustment.
 *
 * The arrays travel like any fit reply's (the `update` holds the plant's local step, zero for
 * shared entries), so secure aggregation sums them unchanged (set `updateClipRange` to bound the
 * curvature entries). Differential privacy's update clipping does not apply to curvature; the
 * accountant does not cover this strategy.
 *
 * @example
 * const local = keepPlantParametersLocal(model.indicesOf('plant'));
 * createPlant({ plantId, data: train, validation, model: factory,
 *   middleware: [local.middleware, gaussNewtonTasks({ model: factory, train })] });
 * runFederation(grid, gaussNewton(), { ...options, rounds: 15 });
 */
import { CrucibleError } from '../errors.js';
import type { FitReply, PlantReply, TaskMessage } from '../federation/messages.js';
import type { PlantData, PlantMiddleware } from '../federation/plant.js';
import { defineStrategy } from '../federation/strategies/define.js';
import type { Strategy, StrategyState } from '../federation/strategy.js';
import type { Model } from '../nn/mlp.js';
import { backward, noGrad } from '../tensor/autodiff.js';
import { mean, square, sub } from '../tensor/ops/index.js';
import { solve } from '../tensor/ops/solve.js';
import { Tensor } from '../tensor/tensor.js';
import { HybridModel } from './hybrid-model.js';

/** The loss a plant reports when the parameters sent make its model blow up. */
const UNUSABLE_LOSS = 1e300;

/** Largest model (parameters) the strategy accepts: it moves p² numbers per plant. */
const MAX_PARAMETERS = 64;

export interface GaussNewtonOptions {
  /** Initial Levenberg–Marquardt λ (relative to diag H). Default 1e-3. */
  readonly damping?: number;
  /** Largest |Δ| per raw parameter per round (a trust region). Default 1. */
  readonly maxStep?: number;
}

/** The coordinator side: pooled damped Gauss–Newton steps (see the file comment). */
export function gaussNewton(options: GaussNewtonOptions = {}): Strategy {
  const maxStep = options.maxStep ?? 1;
  return defineStrategy({
    name: 'gaussNewton',
    initialState: () => ({ arrays: {}, json: { lambda: options.damping ?? 1e-3 } }),
    configureFit: () => ({ config: { gaussNewton: true } as Record<string, boolean> }),
    aggregateFit: ({ round, parameters, state, results }) => {
      const p = parameters.length;
      const pooled = pooledStatistics(results, p, round);
      const previous = state.arrays.previousParameters;
      const previousLoss = state.arrays.previousLoss?.[0];
      let lambda = state.json.lambda as number;
      let from: { parameters: Float64Array; gradient: Float64Array; curvature: Float64Array } = { parameters, ...pooled };
      let accepted = 1;
      if (previous === undefined && pooled.loss >= UNUSABLE_LOSS) {
        throw new CrucibleError('UPDATE_REJECTED', `gaussNewton, round ${round}: the initial parameters make the model unusable at every plant`);
      }
      if (previous !== undefined && previousLoss !== undefined && pooled.loss > previousLoss) {
        // The last step raised the loss: take a shorter one from where it started.
        accepted = 0;
        lambda *= 4;
        from = { parameters: previous, gradient: state.arrays.previousGradient, curvature: state.arrays.previousCurvature };
      } else {
        lambda = Math.max(1e-9, lambda / 3);
      }
      const step = dampedStep(from.curvature, from.gradient, lambda, maxStep);
      const next = from.parameters.map((v, i) => v + step[i]);
      const kept: StrategyState = accepted
        ? { arrays: { previousParameters: parameters, previousGradient: pooled.gradient, previousCurvature: pooled.curvature, previousLoss: Float64Array.of(pooled.loss) }, json: { lambda } }
        : { arrays: state.arrays, json: { lambda } };
      return { parameters: next, state: kept, metrics: { pooledLoss: pooled.loss, lambda, stepAccepted: accepted } };
    },
  });
}

function pooledStatistics(results: readonly FitReply[], p: number, round: number): { gradient: Float64Array; curvature: Float64Array; loss: number } {
  if (p > MAX_PARAMETERS) throw new RangeError(`gaussNewton: the model has ${p} parameters; this strategy is for small physical models (≤ ${MAX_PARAMETERS})`);
  const gradient = new Float64Array(p);
  const curvature = new Float64Array(p * p);
  let loss = 0;
  let total = 0;
  for (const r of results) total += r.numExamples;
  for (const r of results) {
    const { gradient: g, curvature: h, loss: l } = r.arrays;
    if (g === undefined || h === undefined || l === undefined || g.length !== p || h.length !== p * p) {
      throw new CrucibleError('UPDATE_REJECTED', `gaussNewton, round ${round}: plant '${r.plantId}' sent no Gauss–Newton statistics of a ${p}-parameter model (is gaussNewtonTasks in its middleware?)`);
    }
    const w = r.numExamples / total;
    for (let i = 0; i < p; i++) gradient[i] += w * g[i];
    for (let i = 0; i < p * p; i++) curvature[i] += w * h[i];
    loss += w * l[0];
  }
  return { gradient, curvature, loss };
}

/** Δ solving (H + λ diag H + εI) Δ = −g, scaled down so that max |Δ_i| ≤ maxStep. */
function dampedStep(curvature: Float64Array, gradient: Float64Array, lambda: number, maxStep: number): Float64Array {
  const p = gradient.length;
  const a = new Tensor(p, p, curvature.slice());
  let largest = 0;
  for (let i = 0; i < p; i++) largest = Math.max(largest, curvature[i * p + i]);
  for (let i = 0; i < p; i++) a.data[i * p + i] += lambda * curvature[i * p + i] + 1e-12 * largest + 1e-300;
  const step = solve(a, new Tensor(p, 1, gradient.map((v) => -v))).data;
  let biggest = 0;
  for (const v of step) biggest = Math.max(biggest, Math.abs(v));
  const shrink = biggest > maxStep ? maxStep / biggest : 1;
  return step.map((v) => v * shrink);
}

export interface GaussNewtonTasksOptions {
  /** A fresh model of the federation's architecture. */
  readonly model: () => Model;
  /** The plant's training rows (the same it gives `createPlant`). */
  readonly train: PlantData;
  /** Gauss–Newton steps on the plant-specific block before each reply. Default 2. */
  readonly localIterations?: number;
}

/**
 * Plant middleware answering the fit tasks of `gaussNewton()` (config `gaussNewton: true`) with
 * the plant's gradient, Gauss–Newton matrix and loss; other tasks pass through. List it after
 * (inside) `keepPlantParametersLocal` when the model has plant-specific parameters.
 */
export function gaussNewtonTasks(options: GaussNewtonTasksOptions): PlantMiddleware {
  const iterations = options.localIterations ?? 2;
  return (next, plant) => async (task): Promise<PlantReply> => {
    if (task.kind !== 'fit' || task.config.gaussNewton !== true) return next(task);
    const header = { kind: task.kind, runId: task.runId, round: task.round, plantId: plant.plantId };
    try {
      return { ok: true, ...header, ...statisticsReply(task, options, iterations) };
    } catch (e) {
      return { ok: false, ...header, failure: { code: 'PLANT_TASK_FAILED', message: `plant '${plant.plantId}', Gauss–Newton fit of round ${task.round}: ${e instanceof Error ? e.message : String(e)}` } };
    }
  };
}

function statisticsReply(task: TaskMessage, options: GaussNewtonTasksOptions, iterations: number): Omit<FitReply, 'ok' | 'kind' | 'runId' | 'round' | 'plantId'> {
  if (task.arrays.featureMean !== undefined) throw new RangeError('Gauss–Newton fits run in physical units: set featureScaling: false');
  const model = options.model();
  const global = task.arrays.parameters;
  const p = model.parameters.count;
  if (global === undefined || global.length !== p) throw new RangeError(`the task carries ${global?.length ?? 'no'} parameters, the model has ${p}`);
  if (p > MAX_PARAMETERS) throw new RangeError(`the model has ${p} parameters; Gauss–Newton is for small physical models (≤ ${MAX_PARAMETERS})`);
  const local = model instanceof HybridModel ? Array.from(model.indicesOf('plant')) : [];
  const shared = Array.from({ length: p }, (_, i) => i).filter((i) => !local.includes(i));
  const { x, y } = options.train;
  model.parameters.set(global);
  const values = model.parameters.values;
  const unusable = (): Omit<FitReply, 'ok' | 'kind' | 'runId' | 'round' | 'plantId'> => ({
    // The shared values sent make the model blow up (e.g. rates so large the explicit integration is
    // unstable): report an enormous loss, so the coordinator retakes a shorter step.
    numExamples: x.rows,
    metrics: { trainLoss: UNUSABLE_LOSS, localSteps: 0 },
    arrays: { update: new Float64Array(p), gradient: new Float64Array(p), curvature: new Float64Array(p * p), loss: Float64Array.of(UNUSABLE_LOSS) },
  });
  // Re-solve the plant's own parameters for the current shared ones (steps that do not lower the loss are undone).
  if (local.length > 0) {
    let current = lossDerivatives(model, x, y, local);
    if (!Number.isFinite(current.loss)) return unusable();
    for (let it = 0; it < iterations; it++) {
      const step = dampedStep(current.curvature, Float64Array.from(local, (i) => current.gradient[i]), 1e-6, 1);
      local.forEach((i, k) => (values[i] += step[k]));
      const trial = lossDerivatives(model, x, y, local);
      if (!(trial.loss <= current.loss)) {
        local.forEach((i, k) => (values[i] -= step[k]));
        break;
      }
      current = trial;
    }
  }
  const { loss, gradient, curvature } = lossDerivatives(model, x, y, Array.from({ length: p }, (_, i) => i));
  if (!Number.isFinite(loss) || !gradient.every(Number.isFinite) || !curvature.every(Number.isFinite)) return unusable();
  const reduced = schurComplement(curvature, gradient, shared, local);
  return {
    numExamples: x.rows,
    metrics: { trainLoss: loss, localSteps: iterations },
    arrays: { update: values.map((v, i) => v - global[i]), gradient: reduced.gradient, curvature: reduced.curvature, loss: Float64Array.of(loss) },
  };
}

/**
 * The mean squared error, its exact gradient (tape) and the Gauss–Newton matrix (2/(nK)) JᵀJ over
 * the raw parameters `columns` (J by forward differences).
 */
function lossDerivatives(model: Model, x: Tensor, y: Tensor, columns: readonly number[]): { loss: number; gradient: Float64Array; curvature: Float64Array } {
  const params = model.parameters;
  params.zeroGrad();
  const lossTensor = mean(square(sub(model.forward(x), y)));
  backward(lossTensor);
  const gradient = params.grads.slice();
  const base = noGrad(() => model.forward(x)).data;
  const values = params.values;
  const jacobian = columns.map((i) => {
    const v = values[i];
    const h = 1e-7 * Math.max(1, Math.abs(v));
    values[i] = v + h;
    const shifted = noGrad(() => model.forward(x)).data;
    values[i] = v;
    return shifted.map((s, r) => (s - base[r]) / h);
  });
  const m = columns.length;
  const scale = 2 / base.length;
  const curvature = new Float64Array(m * m);
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) {
      let s = 0;
      for (let r = 0; r < base.length; r++) s += jacobian[a][r] * jacobian[b][r];
      curvature[a * m + b] = curvature[b * m + a] = scale * s;
    }
  }
  return { loss: lossTensor.item(), gradient, curvature };
}

/** The shared block's reduced system, embedded in full-size arrays (zeros at plant-specific entries). */
function schurComplement(curvature: Float64Array, gradient: Float64Array, shared: readonly number[], local: readonly number[]): { gradient: Float64Array; curvature: Float64Array } {
  const p = gradient.length;
  const H = (i: number, j: number): number => curvature[i * p + j];
  const outG = new Float64Array(p);
  const outH = new Float64Array(p * p);
  for (const i of shared) {
    outG[i] = gradient[i];
    for (const j of shared) outH[i * p + j] = H(i, j);
  }
  if (local.length === 0) return { gradient: outG, curvature: outH };
  const ll = new Tensor(local.length, local.length, Float64Array.from(local.flatMap((i) => local.map((j) => H(i, j)))));
  for (let k = 0; k < local.length; k++) ll.data[k * local.length + k] += 1e-12 * Math.abs(ll.data[k * local.length + k]) + 1e-300;
  // H_ll⁻¹ [H_ls | g_l]
  const rhs = new Tensor(local.length, shared.length + 1);
  local.forEach((i, k) => {
    shared.forEach((j, c) => (rhs.data[k * (shared.length + 1) + c] = H(i, j)));
    rhs.data[k * (shared.length + 1) + shared.length] = gradient[i];
  });
  const solved = solve(ll, rhs).data;
  shared.forEach((i, a) => {
    let g = 0;
    local.forEach((l, k) => (g += H(i, l) * solved[k * (shared.length + 1) + shared.length]));
    outG[i] -= g;
    shared.forEach((j, b) => {
      let s = 0;
      local.forEach((l, k) => (s += H(i, l) * solved[k * (shared.length + 1) + b]));
      outH[i * p + j] -= s;
    });
  });
  return { gradient: outG, curvature: outH };
}
