/**
 * Step 5 of the demo: each plant optimizes its steady-state profit with a trained model, and the
 * recommendation is scored on the plant's TRUE simulator — regret = true optimal profit − true profit
 * of the recommendation, and every process limit checked on the true plant. The CSTR model is dynamic
 * (inputs at lags); at steady state every lag of an input holds the same value, so the steady-state
 * surrogate feeds each input to all its lag columns.
 *
 * Each model is trusted where its own training data lie: candidates stay within Mahalanobis
 * distance 3 of the mean of the model's training inputs, from the feature statistics the model was
 * scaled with — for the federated model those are the fleet's, summed by secure aggregation (the
 * coordinator never saw a plant's own); for a local-only model, the plant's own.
 *
 * @example
 * const outcome = await optimizePlants(prepared, { federated: () => fedModel, local: (id) => localModels[id] });
 */
import { isCrucibleError } from '../errors.js';
import { ProcessModel } from '../nn/process-model.js';
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { type SetpointResult, optimizeSetpoints } from '../optimize/setpoint.js';
import { cstrCases } from './cstr-setpoints.js';
import type { PreparedPlants } from './plants.js';
import { type LimitCheck, type ScenarioCases, maxMahalanobis, steadyStateSurrogate, trustRegionOf } from './setpoint-case.js';
import { williamsOttoCases } from './williams-otto-setpoints.js';

export { steadyStateSurrogate } from './setpoint-case.js';

export interface OptimizationRow {
  plantId: string;
  model: string;
  /** 'infeasible': the model claims no point meets the limits within its trust region (no recommendation). */
  status: 'recommended' | 'infeasible';
  /** The optimum of the model: decision variables by input name. */
  setpoints: Record<string, number>;
  /** What the plant runs: the setpoints given to its controllers. */
  implemented: Record<string, number>;
  /** Mahalanobis distance of the recommendation from the model's training inputs. */
  mahalanobis?: number;
  /** Profit the model predicts at its optimum. */
  predictedProfit: number;
  /** True profit at the implemented setpoints (the plant's simulator). */
  trueProfit: number;
  /** The limits on the true plant at the implemented setpoints. */
  limits: LimitCheck[];
  /** Every limit met on the true plant. */
  trueFeasible: boolean;
  /** True optimal profit, where it is and which limits bind there. */
  optimalProfit: number;
  optimum: Record<string, number>;
  optimumActive: string[];
  regret: number;
  regretPercent: number;
  /** The same recommendation applied open loop (CSTR: the model's jacket duty instead of a temperature setpoint). */
  openLoop?: { trueProfit: number; regretPercent: number; limits: LimitCheck[]; trueFeasible: boolean };
  /** Why there is no recommendation. */
  reason?: string;
}

export interface OptimizationOutcome {
  rows: OptimizationRow[];
  /** Why there are no rows (scenario without a profit model). */
  skipped?: string;
  /** Plants whose true plant cannot meet the limits at all (no optimum to score against), and why. */
  unreachable?: { plantId: string; reason: string }[];
  /** What was optimized, in words (objective, box, limits, how it is implemented). */
  description?: string;
  maxMahalanobis?: number;
}

/**
 * Optimizes every plant's profit with each named model and scores it on the plant's simulator,
 * yielding to the event loop between optimizations so `onProgress` can be drawn as it goes.
 */
export async function optimizePlants(
  prepared: PreparedPlants,
  models: Readonly<Record<string, (plantId: string) => ProcessModel | ProcessSurrogate | undefined>>,
  options: { seed?: number; onProgress?: (done: number, total: number, label: string) => void } = {},
): Promise<OptimizationOutcome> {
  const raw = prepared.plants[0].dataset.inputs;
  const lags = prepared.inputNames.length / raw.length;
  const setup: ScenarioCases | undefined =
    prepared.scenario === 'cstr' ? cstrCases(prepared) : prepared.scenario === 'williams-otto' ? williamsOttoCases(prepared) : undefined;
  if (setup === undefined) {
    const why = prepared.scenario === 'eaf' ? 'an EAF shop has no setpoints to optimize: its decision is the charge (the charge optimization)' : `no profit model for scenario '${prepared.scenario}': setpoint optimization runs for cstr and williams-otto`;
    return { rows: [], skipped: why };
  }
  const rows: OptimizationRow[] = [];
  const unreachable: { plantId: string; reason: string }[] = [];
  const total = prepared.plants.length * Object.keys(models).length;
  let done = 0;
  for (const plant of prepared.plants) {
    for (const [label, modelOf] of Object.entries(models)) {
      await new Promise((resolve) => setImmediate(resolve));
      options.onProgress?.(done++, total, `${plant.plantId} ${label}`);
      const model = modelOf(plant.plantId);
      if (model === undefined) continue;
      const c = setup.caseFor(plant, model);
      if ('unreachable' in c) {
        if (!unreachable.some((u) => u.plantId === plant.plantId)) unreachable.push({ plantId: plant.plantId, reason: c.unreachable });
        continue;
      }
      // A trained network sees lagged features and carries its trust region in its scaling; a surrogate
      // (the response surfaces) is already in the raw inputs and brings its own standard error.
      const network = model instanceof ProcessModel;
      const surrogate = network ? steadyStateSurrogate(model, raw, lags) : model;
      const base = { plantId: plant.plantId, model: label, optimalProfit: c.optimum.profit, optimum: c.optimum.setpoints, optimumActive: c.optimum.active };
      let result: SetpointResult;
      try {
        result = optimizeSetpoints(c.problem(surrogate), surrogate, { starts: 6, seed: options.seed ?? 0, ...(network ? { inputDistribution: trustRegionOf(model, raw, lags) } : {}) });
      } catch (e) {
        if (!isCrucibleError(e, 'INFEASIBLE')) throw e;
        const nan = Number.NaN;
        rows.push({ ...base, status: 'infeasible', setpoints: {}, implemented: {}, predictedProfit: nan, trueProfit: nan, limits: [], trueFeasible: false, regret: nan, regretPercent: nan, reason: e.message });
        continue;
      }
      const truth = c.score(result);
      const regretPercent = (p: number): number => (100 * (c.optimum.profit - p)) / Math.abs(c.optimum.profit);
      rows.push({
        ...base,
        status: 'recommended',
        setpoints: result.variables,
        implemented: truth.implemented,
        mahalanobis: result.mahalanobis,
        predictedProfit: result.objective,
        trueProfit: truth.profit,
        limits: truth.limits,
        trueFeasible: truth.limits.every((l) => l.violation === 0),
        regret: c.optimum.profit - truth.profit,
        regretPercent: regretPercent(truth.profit),
        ...(truth.openLoop === undefined
          ? {}
          : { openLoop: { trueProfit: truth.openLoop.profit, regretPercent: regretPercent(truth.openLoop.profit), limits: truth.openLoop.limits, trueFeasible: truth.openLoop.limits.every((l) => l.violation === 0) } }),
      });
    }
  }
  options.onProgress?.(total, total, 'done');
  return { rows, unreachable, maxMahalanobis, description: setup.description };
}

/**
 * Per model: regret range, plants within 2 % with every limit met, and at how many plants the
 * federated optimum beats the local-only one (lower regret with every limit met).
 *
 * @example
 * optimizationSummary(outcome.rows); // ['local: regret 8.2–8.6%; within 2 % with every limit met at 0 of 3 plants', …]
 */
export function optimizationSummary(rows: readonly OptimizationRow[]): string[] {
  const models = [...new Set(rows.map((r) => r.model))];
  const good = (r: OptimizationRow): boolean => r.status === 'recommended' && r.trueFeasible && r.regretPercent <= 2;
  const out = models.map((m) => {
    const mine = rows.filter((r) => r.model === m);
    const regrets = mine.filter((r) => r.status === 'recommended').map((r) => r.regretPercent);
    const range = regrets.length > 0 ? `${Math.min(...regrets).toFixed(1)}–${Math.max(...regrets).toFixed(1)}%` : 'none';
    return `${m}: regret ${range}; within 2 % with every limit met at ${mine.filter(good).length} of ${mine.length} plants`;
  });
  const plants = [...new Set(rows.map((r) => r.plantId))];
  const score = (r: OptimizationRow | undefined): number => (r === undefined || r.status === 'infeasible' || !r.trueFeasible ? Infinity : r.regretPercent);
  const pairs: [string, string][] = [['federated', 'local'], ['federated RS', 'local RS']];
  for (const [fed, local] of pairs) {
    if (!rows.some((r) => r.model === local) || !rows.some((r) => r.model === fed)) continue;
    const better = plants.filter((p) => score(rows.find((r) => r.plantId === p && r.model === fed)) < score(rows.find((r) => r.plantId === p && r.model === local)));
    out.push(`${fed} better than ${local === 'local' ? 'local-only' : local} (lower regret, limits met) at ${better.length} of ${plants.length} plants`);
  }
  return out;
}
