/**
 * The true outcome of a recommendation on a simulated plant: the simulator's outputs under the
 * names of the plant's data columns (what a model trained on that data calls them), and the
 * problem's objective and constraints evaluated on them — the original limits, without the
 * chance back-off. For `crucible optimize --truth`, where the plant's configuration comes from the
 * `crucible simulate` manifest.
 *
 * @example
 * const truth = trueOutcome('williams-otto', config, { FB_kg_per_s: 4.97, TR_degC: 84.3 });
 * evaluateOnTruth(problem, { ...inputs, ...truth });
 */
import { noGrad } from '../tensor/autodiff.js';
import type { ProcessName } from '../process/dataset.js';
import { scenarioFromConfigs } from '../process/scenario.js';
import { evaluateExpression } from '../optimize/expression.js';
import { parseConstraint, type SetpointProblem } from '../optimize/problem.js';
import { eafChargeColumns } from './eaf-charge-model.js';

/** The true outputs at `inputs` (physical units, data-column names). */
export function trueOutcome(process: ProcessName, config: unknown, inputs: Readonly<Record<string, number>>): Record<string, number> {
  const need = (name: string): number => {
    const v = inputs[name];
    if (v === undefined || !Number.isFinite(v)) throw new RangeError(`true outcome (${process}): the recommendation has no input '${name}' (has ${Object.keys(inputs).join(', ')})`);
    return v;
  };
  const [plant] = scenarioFromConfigs(process, [config]).plants;
  if (plant.process === 'williams-otto') {
    const s = (plant as ReturnType<typeof scenarioFromConfigs<'williams-otto'>>['plants'][number]).truth.steadyState(need('FB_kg_per_s'), need('TR_degC'));
    return { xA: s.xA, xB: s.xB, xC: s.xC, xE: s.xE, xG: s.xG, xP: s.xP, profit_usd_per_s: s.profit };
  }
  if (plant.process === 'cstr') {
    const truth = (plant as ReturnType<typeof scenarioFromConfigs<'cstr'>>['plants'][number]).truth;
    const u = { dilutionPerH: need('D_per_h'), jacketDutyKJPerH: need('Qk_kJ_per_h'), feedConcentration: need('cA0_mol_per_L'), feedTemperatureC: need('T0_degC') };
    const s = truth.steadyState(u);
    return { T_degC: s.temperatureC, Tk_degC: s.jacketTemperatureC, cB_analyser_mol_per_L: s.cB, cA_mol_per_L: s.cA, cB_mol_per_L: s.cB, profit_usd_per_h: truth.profit(u) };
  }
  const truth = (plant as ReturnType<typeof scenarioFromConfigs<'eaf'>>['plants'][number]).truth;
  const ids = truth.plant.materials.map((m) => m.id);
  const { inputs: columns } = eafChargeColumns(ids);
  const charge = Object.fromEntries(ids.map((id, j) => [id, inputs[columns[j]] ?? 0]));
  const heat = truth.heat(charge, { oxygenNm3: need('oxygen_Nm3'), burnerGasNm3: need('burner_gas_Nm3'), tapToTapMin: need('tap_to_tap_min') });
  const out: Record<string, number> = { steel_t: heat.steelT, energy_kWh_per_t: heat.electricKWhPerT, cost_usd: heat.costUsd, co2_t: heat.co2T };
  for (const [e, v] of Object.entries(heat.tap)) if (e !== 'Fe') out[`tap_${e}_wtpct`] = 100 * v;
  return out;
}

export interface TrueEvaluation {
  objective: number;
  /** Each constraint as written (without any chance back-off): lhs − rhs and whether it holds. */
  constraints: { name: string; value: number; met: boolean }[];
}

/** The problem's objective and constraints at named true values (inputs and true outputs). */
export function evaluateOnTruth(problem: SetpointProblem, values: Readonly<Record<string, number>>, tolerance = 1e-9): TrueEvaluation {
  const named = new Map<string, number>([...problem.context, ...Object.entries(values)]);
  const at = (e: Parameters<typeof evaluateExpression>[0], where: string): number => noGrad(() => evaluateExpression(e, named, where).item());
  return {
    objective: at(problem.objective.expression, 'objective'),
    constraints: problem.constraints.map((c) => {
      const original = parseConstraint(c.text, c.name, `constraint '${c.name}'`);
      const value = at(original.lhs, c.name) - at(original.rhs, c.name);
      const scale = Math.max(1, Math.abs(at(original.rhs, c.name)));
      const met = original.sense === '<=' ? value <= tolerance * scale : original.sense === '>=' ? value >= -tolerance * scale : Math.abs(value) <= tolerance * scale;
      return { name: c.name, value, met };
    }),
  };
}
