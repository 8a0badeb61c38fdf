/**
 * The Williams–Otto plants' setpoint problem in the demo: each plant maximises its profit
 * (F_A + F_B)(p_P·x_P + p_E·x_E) − p_A·F_A − p_B·F_B [$/s] subject to x_A ≤ 0.12, x_G ≤ 0.08 over the
 * plants' windows together; the recommendation (F_B, T_R) is applied as is and scored on the plant's
 * true simulator against its true constrained optimum over the same box.
 *
 * A model with a predictive standard deviation (the plant-adapted response surface,
 * `trainPersonalizedFederation`) gets the limits as chance constraints at 97.5 % instead of the
 * Mahalanobis trust region: its standard error grows where no plant has data, which is its own
 * trust region (docs/optimization.md, "Williams–Otto: federated setpoints").
 *
 * @example
 * const c = williamsOttoCases(prepared).caseFor(prepared.plants[0], federatedModel);
 */
import { CrucibleError } from '../errors.js';
import { parseSetpointProblem } from '../optimize/problem.js';
import type { SimulatedPlant } from '../process/scenario.js';
import { williamsOttoLimits } from '../process/williamsOtto.js';
import type { PreparedPlants } from './plants.js';
import { type PlantCase, type ScenarioCases, checkLimit, maxMahalanobis } from './setpoint-case.js';

/** Probability with which a model with a predictive sd holds the limits (fixed before the study's seeds were run). */
export const chanceConfidence = 0.975;

/** The Williams–Otto scenario's cases (see the file comment). */
export function williamsOttoCases(prepared: PreparedPlants): ScenarioCases {
  const sims = prepared.plants.map((p) => p.simulated as SimulatedPlant<'williams-otto'> | undefined);
  if (sims.some((s) => s === undefined)) throw new CrucibleError('CONFIG_INVALID', 'demo: a plant has no simulator to score against');
  const fleet = sims as SimulatedPlant<'williams-otto'>[];
  const [fName, tName] = prepared.plants[0].dataset.inputs;
  const union = (windows: (readonly [number, number])[]): [number, number] => [Math.min(...windows.map((w) => w[0])), Math.max(...windows.map((w) => w[1]))];
  const f = union(fleet.map((s) => s.config.window.feedB));
  const t = union(fleet.map((s) => s.config.window.temperatureC));
  const optima = new Map<string, PlantCase['optimum']>();
  return {
    caseFor: (plant) => {
      const sim = fleet.find((s) => s.plantId === plant.plantId)!;
      const p = sim.truth.parameters;
      if (!optima.has(plant.plantId)) {
        const best = sim.truth.optimum({ bounds: { feedB: f, temperatureC: t } });
        optima.set(plant.plantId, { profit: best.profit, setpoints: { [fName]: best.feedBKgPerS, [tName]: best.temperatureC }, active: best.activeConstraints });
      }
      return {
        optimum: optima.get(plant.plantId)!,
        problem: (surrogate) =>
          parseSetpointProblem(
            {
              variables: { [fName]: { min: f[0], max: f[1] }, [tName]: { min: t[0], max: t[1] } },
              objective: { maximize: `(${p.feedAKgPerS} + ${fName}) * (${p.priceP} * xP + ${p.priceE} * xE) - ${p.priceA * p.feedAKgPerS} - ${p.priceB} * ${fName}` },
              ...(surrogate.predictStd === undefined
                ? { constraints: [`xA <= ${williamsOttoLimits.xA}`, `xG <= ${williamsOttoLimits.xG}`], trustRegion: { maxMahalanobis } }
                : { constraints: (['xA', 'xG'] as const).map((y) => ({ name: `${y} <= ${williamsOttoLimits[y]}`, expression: `${y} <= ${williamsOttoLimits[y]}`, confidence: chanceConfidence })) }),
            },
            `${plant.plantId} profit`,
          ),
        score: (r) => {
          const s = sim.truth.steadyState(r.variables[fName], r.variables[tName]);
          return {
            implemented: { [fName]: r.variables[fName], [tName]: r.variables[tName] },
            profit: s.profit,
            limits: [checkLimit(`xA ≤ ${williamsOttoLimits.xA}`, s.xA, '<=', williamsOttoLimits.xA), checkLimit(`xG ≤ ${williamsOttoLimits.xG}`, s.xG, '<=', williamsOttoLimits.xG)],
          };
        },
      };
    },
    description:
      `Each plant maximises its profit (F_A + F_B)(p_P·x_P + p_E·x_E) − p_A·F_A − p_B·F_B [$/s] subject to x_A ≤ ${williamsOttoLimits.xA}, x_G ≤ ${williamsOttoLimits.xG}, ` +
      `over F_B ∈ [${f.join(', ')}] kg/s, T_R ∈ [${t.join(', ')}] °C (the plants' windows together), applied as is; true optimum over the same box. ` +
      `Networks keep within Mahalanobis distance ${maxMahalanobis} of their training inputs; the response surfaces (RS) hold the limits with probability ${chanceConfidence} under their own prediction standard error instead.`,
  };
}
