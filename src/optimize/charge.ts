/**
 * Charge-mix optimization on a learned model (the EAF charge problem of Rong & Lahdelma, EJOR 189,
 * 2008, with the model in place of fixed coefficients): choose tonnages of materials to tap at
 * least `steel.minT` of steel within the chemistry spec, at least cost (or least CO2), where a
 * trained model predicts tapped steel, tap chemistry and specific energy from the charge.
 *
 * The problem is written as a setpoint problem: the tonnages are the decision variables (bounded
 * by availability), the practice inputs are context, and cost and CO2 are expressions over the
 * tonnages (exactly linear: prices, cradle-to-gate CO2) and the learned outputs (energy × steel,
 * carbon left in the steel). It is solved by sequential LP, so the linear parts are exact in every
 * HiGHS solve and only the learned parts are linearized. Chemistry limits may carry a confidence:
 * chance constraints on residual elements (Cu, Sn) from the model's predictive uncertainty.
 *
 * @example
 * const best = await optimizeCharge(problem, surrogate);
 * best.chargeT; // { hms: 51.2, busheling: 27.0, … }
 * const front = await chargeParetoFront(problem, surrogate, { points: 6 });
 */
import { isCrucibleError } from '../errors.js';
import { noGrad } from '../tensor/autodiff.js';
import { Rng } from '../tensor/rng.js';
import { evaluateExpression, parseExpression } from './expression.js';
import { parseSetpointProblem, type SetpointProblemInput } from './problem.js';
import { optimizeSequentialLp, type SequentialLpOptions } from './sequential-lp.js';
import type { SetpointResult } from './compile.js';
import type { ProcessSurrogate } from './surrogate.js';

/** One material the charge may use. */
export interface ChargeMaterial {
  /** The model input holding its tonnage, e.g. 'charge_hms_t'. */
  input: string;
  priceUsdPerT: number;
  /** CO2 per tonne charged [t/t]: cradle-to-gate plus all its carbon burnt (the carbon left in the steel is credited). */
  co2TPerT: number;
  availabilityT: number;
}

/** A bound on a model output, optionally held with a probability under the model's uncertainty. */
export interface OutputBound {
  min?: number;
  max?: number;
  /** Chance constraint: hold both limits with this probability (e.g. 0.975). */
  confidence?: number;
}

export interface ChargeProblem {
  /** Materials by id. */
  materials: Record<string, ChargeMaterial>;
  /** Fixed model inputs of the heat (practice: oxygen, burner gas, tap-to-tap time). */
  context: Record<string, number>;
  /** The tapped-steel output [t] and how much must be tapped. */
  steel: { output: string; minT: number; confidence?: number };
  /** Limits on chemistry outputs, in the outputs' units (e.g. tap_Cu_wtpct: { max: 0.18, confidence: 0.975 }). */
  chemistry: Record<string, OutputBound>;
  /** The specific-energy output [kWh per t of steel], its price and grid CO2. */
  energy: { output: string; priceUsdPerKWh: number; co2TPerKWh: number };
  /** The carbon output [wt%] whose carbon stays in the steel (credited against the materials' carbon CO2). */
  carbon?: { output: string };
  /** Cost and CO2 of the heat that do not depend on the charge; CO2 per tonne of steel (electrodes). */
  fixed?: { costUsd?: number; co2T?: number; co2TPerTSteel?: number };
}

/** CO2 per tonne of carbon burnt to CO2 (44.01 / 12.011). */
export const co2PerCarbon = 44.01 / 12.011;

/** Cost [$] and CO2 [t] of a heat as expressions over tonnages and learned outputs. */
export function chargeExpressions(p: ChargeProblem): { cost: string; co2: string } {
  const ids = Object.keys(p.materials);
  if (ids.length === 0) throw new RangeError('charge problem: no materials');
  const sum = (coef: (m: ChargeMaterial) => number): string => ids.map((id) => `${num(coef(p.materials[id]))} * ${p.materials[id].input}`).join(' + ');
  const steel = p.steel.output;
  const energy = `${p.energy.output} * ${steel}`;
  const f = p.fixed ?? {};
  const cost = `${sum((m) => m.priceUsdPerT)} + ${num(p.energy.priceUsdPerKWh)} * ${energy} + ${num(f.costUsd ?? 0)}`;
  const carbon = p.carbon === undefined ? '' : ` - ${num(co2PerCarbon / 100)} * ${p.carbon.output} * ${steel}`;
  const co2 = `${sum((m) => m.co2TPerT)}${carbon} + ${num(p.energy.co2TPerKWh)} * ${energy} + ${num(f.co2TPerTSteel ?? 0)} * ${steel} + ${num(f.co2T ?? 0)}`;
  return { cost, co2 };
}

/** The charge problem as a setpoint problem: minimise cost (or CO2), optionally with a CO2 cap [t]. */
export function chargeSetpointProblem(p: ChargeProblem, options: { minimize?: 'cost' | 'co2'; maxCo2T?: number; initialT?: Record<string, number> } = {}): SetpointProblemInput {
  const { cost, co2 } = chargeExpressions(p);
  const variables = Object.fromEntries(
    Object.entries(p.materials).map(([id, m]) => {
      const initial = options.initialT?.[id];
      return [m.input, { min: 0, max: m.availabilityT, ...(initial === undefined ? {} : { initial: Math.min(m.availabilityT, Math.max(0, initial)) }) }];
    }),
  );
  const bound = (name: string, output: string, b: OutputBound) =>
    [
      ...(b.min === undefined ? [] : [{ name: `${name} >= ${b.min}`, expression: `${output} >= ${b.min}`, ...(b.confidence ? { confidence: b.confidence } : {}) }]),
      ...(b.max === undefined ? [] : [{ name: `${name} <= ${b.max}`, expression: `${output} <= ${b.max}`, ...(b.confidence ? { confidence: b.confidence } : {}) }]),
    ];
  const constraints = [
    ...bound(p.steel.output, p.steel.output, { min: p.steel.minT, confidence: p.steel.confidence }),
    ...Object.entries(p.chemistry).flatMap(([output, b]) => bound(output, output, b)),
    ...(options.maxCo2T === undefined ? [] : [{ name: `CO2 <= ${num(options.maxCo2T)} t`, expression: `${co2} <= ${num(options.maxCo2T)}` }]),
  ];
  return { variables, context: p.context, objective: { minimize: options.minimize === 'co2' ? co2 : cost }, constraints };
}

export interface ChargeRecommendation {
  /** Tonnes per material id (zeros omitted). */
  chargeT: Record<string, number>;
  /** Cost [$] and CO2 [t] the model predicts for the heat. */
  costUsd: number;
  co2T: number;
  /** The solver's full result (predicted outputs, constraints, multipliers, uncertainty). */
  result: SetpointResult;
}

/**
 * The least-cost charge (or least-CO2 with `minimize: 'co2'`) under the spec on `surrogate`.
 * Chance constraints make the problem nonconvex (the model's spread varies with the mix), so the
 * sequential LP runs from the box centre (or `initialT`), from the optimum without back-off, and
 * from `randomStarts` seeded random charges, and the charge with the best predicted objective is
 * kept. Throws `INFEASIBLE` naming the binding constraint.
 */
export async function optimizeCharge(
  p: ChargeProblem,
  surrogate: ProcessSurrogate,
  options: SequentialLpOptions & { minimize?: 'cost' | 'co2'; maxCo2T?: number; initialT?: Record<string, number>; randomStarts?: number; seed?: number } = {},
): Promise<ChargeRecommendation> {
  const solve = async (q: ChargeProblem, initialT?: Record<string, number>): Promise<ChargeRecommendation> => {
    const problem = parseSetpointProblem(chargeSetpointProblem(q, { ...options, initialT }), 'charge problem');
    return recommendation(q, await optimizeSequentialLp(problem, surrogate, options));
  };
  const chance = p.steel.confidence !== undefined || Object.values(p.chemistry).some((b) => b.confidence !== undefined);
  if (!chance) return solve(p, options.initialT);
  const starts: (Record<string, number> | undefined)[] = [options.initialT];
  try {
    starts.push((await solve(withoutConfidence(p))).chargeT);
  } catch (e) {
    // Without back-off infeasible means infeasible with it too: the chance solve below says which constraint.
    if (!isCrucibleError(e, 'INFEASIBLE')) throw e;
  }
  const rng = new Rng(options.seed ?? 0);
  for (let k = 0; k < (options.randomStarts ?? 2); k++) {
    starts.push(Object.fromEntries(Object.entries(p.materials).map(([id, m]) => [id, rng.uniform(0, m.availabilityT)])));
  }
  let best: ChargeRecommendation | undefined;
  let lastError: unknown;
  for (const start of starts) {
    try {
      const r = await solve(p, start);
      if (best === undefined || r.result.objective < best.result.objective) best = r;
    } catch (e) {
      if (!isCrucibleError(e, 'INFEASIBLE')) throw e;
      lastError = e;
    }
  }
  if (best === undefined) throw lastError;
  return best;
}

function withoutConfidence(p: ChargeProblem): ChargeProblem {
  const strip = <T extends { confidence?: number }>(b: T): T => {
    const { confidence: _, ...rest } = b;
    return rest as T;
  };
  return { ...p, steel: strip(p.steel), chemistry: Object.fromEntries(Object.entries(p.chemistry).map(([k, b]) => [k, strip(b)])) };
}

function recommendation(p: ChargeProblem, result: SetpointResult): ChargeRecommendation {
  const { cost, co2 } = chargeExpressions(p);
  const values = new Map<string, number>([...Object.entries(result.inputs), ...Object.entries(result.predicted)]);
  const chargeT: Record<string, number> = {};
  for (const [id, m] of Object.entries(p.materials)) if (result.variables[m.input] > 1e-9) chargeT[id] = result.variables[m.input];
  return { chargeT, costUsd: evaluateText(cost, values), co2T: evaluateText(co2, values), result };
}

export interface ParetoPoint {
  /** The CO2 cap of this point [t] (Infinity: the unconstrained least-cost charge). */
  maxCo2T: number;
  recommendation: ChargeRecommendation;
}

/**
 * The cost–CO2 Pareto front by the ε-constraint method (Haimes, Lasdon & Wismer 1971): the
 * least-CO2 and the least-cost charges bound the front; between them, `points` caps evenly spaced
 * in CO2, each solved for least cost. Caps that turn out infeasible are skipped.
 */
export async function chargeParetoFront(p: ChargeProblem, surrogate: ProcessSurrogate, options: SequentialLpOptions & { points?: number; initialT?: Record<string, number>; randomStarts?: number; seed?: number } = {}): Promise<ParetoPoint[]> {
  const points = options.points ?? 6;
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`chargeParetoFront: points must be an integer ≥ 2, got ${points}`);
  const cheapest = await optimizeCharge(p, surrogate, options);
  const cleanest = await optimizeCharge(p, surrogate, { ...options, minimize: 'co2' });
  const front: ParetoPoint[] = [{ maxCo2T: Infinity, recommendation: cheapest }];
  let previous = cheapest.chargeT;
  for (let k = 1; k < points; k++) {
    const cap = cheapest.co2T + ((cleanest.co2T - cheapest.co2T) * k) / (points - 1);
    try {
      // Each cap starts from the charge of the previous one (the front is traced continuously).
      const r = await optimizeCharge(p, surrogate, { ...options, maxCo2T: cap, initialT: previous });
      front.push({ maxCo2T: cap, recommendation: r });
      previous = r.chargeT;
    } catch (e) {
      if (!isCrucibleError(e, 'INFEASIBLE')) throw e;
    }
  }
  // A capped charge is feasible without the cap: if one is cheaper, it is the unconstrained optimum.
  const best = front.reduce((a, b) => (b.recommendation.costUsd < a.recommendation.costUsd ? b : a));
  if (best !== front[0]) front[0] = { maxCo2T: Infinity, recommendation: best.recommendation };
  return front;
}

function num(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`charge problem: coefficient must be finite, got ${v}`);
  return v < 0 ? `(${v})` : String(v);
}

/** A cost/CO2 expression at known values (a number, no tape). */
function evaluateText(text: string, values: ReadonlyMap<string, number>): number {
  return noGrad(() => evaluateExpression(parseExpression(text, 'charge expression'), values, 'charge expression').item());
}
