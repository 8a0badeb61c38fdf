/**
 * The CSTR plants' setpoint problem and how the true plant scores an answer.
 *
 * Each plant maximises its steady-state profit VR·D·(cB − 0.15·cA0) − 0.05·|Qk|/1000 [$/h] over the
 * dilution rate D ∈ [3, 35] 1/h and the specific jacket duty q = Qk/VR (Qk ∈ [−9000, 0] kJ/h), at its
 * mean feed, subject to two limits on the true plant:
 * - the reactor temperature T ≤ 113 °C. Profit rises with temperature (the jacket can only cool), so
 *   this limit is active at every plant's optimum and costs about 6 % of profit per kelvin;
 * - the product specification cB ≥ 1.00 mol/L, which the model must predict: the problem asks
 *   cB ≥ 1.00 + σ (a one-σ back-off), σ the model's error in cB — its residual on the plant's own rows of
 *   steady operation with the analyser's repeatability (from its spec sheet) taken out.
 *
 * How a recommendation is implemented: as real plants run, with the active constraint under control
 * (Skogestad, "Plantwide control: the search for the self-optimizing control structure", J. Process
 * Control 10, 2000): the plant gets the setpoints D and T_sp = the model's predicted temperature at its
 * optimum (≤ 113 °C), and its temperature controller moves the jacket duty until T = T_sp (saturating
 * at the duty's bounds). The product spec is not controlled (the analyser is too slow), so it is where
 * a model's error shows as a violation. For comparison every row also says what the same answer gives
 * open loop, with the model's own jacket duty applied: there a model error of 0.1 K in T becomes a
 * violation of the limit or ~0.6 % of profit.
 *
 * @example
 * const setup = cstrCases(prepared);
 * const c = setup.caseFor(prepared.plants[0], federatedModel);
 */
import type { ProcessSurrogate } from '../optimize/surrogate.js';
import { parseSetpointProblem } from '../optimize/problem.js';
import type { SetpointResult } from '../optimize/setpoint.js';
import { bracketRoot } from '../process/numeric/scalar.js';
import type { SimulatedPlant } from '../process/scenario.js';
import { vanDeVusseConstrainedOptimum } from '../process/vanDeVusseConstrainedOptimum.js';
import { CrucibleError } from '../errors.js';
import { Tensor } from '../tensor/tensor.js';
import { type LimitCheck, type PlantCase, type ScenarioCases, checkLimit, maxMahalanobis, residualStd } from './setpoint-case.js';
import type { DemoPlant, PreparedPlants } from './plants.js';

/** The reactor temperature limit [°C] and the product specification [mol/L]. */
export const cstrLimits = { maxTemperatureC: 113, minProductConcentration: 1.0 } as const;
/** The plant's jacket duty range [kJ/h] (the benchmark's Qk ∈ [−9000, 0]) and dilution rate range [1/h]. */
const dutyRangeKJPerH: [number, number] = [-9000, 0];
const dilutionRangePerH: [number, number] = [3, 35];

/** The CSTR scenario's cases (see the file comment). */
export function cstrCases(prepared: PreparedPlants): ScenarioCases {
  const [dName, qName, cName, tName] = prepared.plants[0].dataset.inputs;
  const out = (prefix: string): string => {
    const name = prepared.outputNames.find((n) => n.startsWith(prefix));
    if (name === undefined) throw new RangeError(`demo: no ${prefix}… output among ${prepared.outputNames.join(', ')}`);
    return name;
  };
  const [tOut, cBOut] = [out('T_'), out('cB')];
  const optima = new Map<string, PlantCase['optimum'] | string>();
  const lags = prepared.inputNames.length / prepared.plants[0].dataset.inputs.length;

  const caseFor: ScenarioCases['caseFor'] = (plant: DemoPlant, model: ProcessSurrogate) => {
    const sim = plant.simulated as SimulatedPlant<'cstr'> | undefined;
    if (sim === undefined) throw new CrucibleError('CONFIG_INVALID', `demo: plant ${plant.plantId} has no simulator to score against`);
    const truth = sim.truth;
    const volumeL = truth.parameters.reactorVolumeL;
    const feed = { feedConcentration: sim.config.feed.concentrationMean, feedTemperatureC: sim.config.feed.temperatureMeanC };
    const steady = (dilutionPerH: number, jacketDutyKJPerH: number) => {
      const u = { ...feed, dilutionPerH, jacketDutyKJPerH };
      const s = truth.steadyState(u);
      return { profit: truth.profit(u), temperatureC: s.temperatureC, cB: s.cB };
    };
    const limitsAt = (s: { temperatureC: number; cB: number }): LimitCheck[] => [
      checkLimit(`T ≤ ${cstrLimits.maxTemperatureC} °C`, s.temperatureC, '<=', cstrLimits.maxTemperatureC),
      checkLimit(`cB ≥ ${cstrLimits.minProductConcentration} mol/L`, s.cB, '>=', cstrLimits.minProductConcentration),
    ];
    if (!optima.has(plant.plantId)) {
      try {
        const best = vanDeVusseConstrainedOptimum(truth.parameters, { feed, limits: cstrLimits, dilutionPerH: dilutionRangePerH, jacketDutyKJPerH: dutyRangeKJPerH });
        optima.set(plant.plantId, { profit: best.profit, setpoints: { [dName]: best.dilutionPerH, [qName]: best.jacketDutyKJPerH / volumeL, [tOut]: best.state.temperatureC }, active: best.active });
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        optima.set(plant.plantId, `the true plant cannot meet the limits anywhere in the box (${e.message.replace(/^vanDeVusseConstrainedOptimum: /, '')} at cA0 = ${feed.feedConcentration}, T0 = ${feed.feedTemperatureC} °C)`);
      }
    }
    const optimum = optima.get(plant.plantId)!;
    if (typeof optimum === 'string') return { unreachable: optimum };
    // The back-off on the spec: the model's error in the product's cB, from its residual on this plant's
    // own rows of steady operation less the analyser's repeatability (measurement noise is no model error).
    const residual = residualStd(model, steadyRows(plant.data.train, [0, 1], lags), cBOut);
    const sigma = Math.sqrt(Math.max(0, residual ** 2 - sim.config.analyser.noiseStd ** 2));
    return {
      optimum,
      problem: () =>
        parseSetpointProblem(
          {
            variables: { [dName]: { min: dilutionRangePerH[0], max: dilutionRangePerH[1] }, [qName]: { min: dutyRangeKJPerH[0] / volumeL, max: dutyRangeKJPerH[1] / volumeL } },
            context: { [cName]: feed.feedConcentration, [tName]: feed.feedTemperatureC },
            objective: { maximize: `${volumeL} * ${dName} * (${cBOut} - 0.15 * ${cName}) + ${0.00005 * volumeL} * ${qName}` },
            constraints: [`${tOut} <= ${cstrLimits.maxTemperatureC}`, `${cBOut} >= ${cstrLimits.minProductConcentration + sigma}`],
            trustRegion: { maxMahalanobis },
          },
          `${plant.plantId} profit`,
        ),
      score: (r: SetpointResult) => {
        const dilution = r.variables[dName];
        const setpointC = Math.min(r.predicted[tOut], cstrLimits.maxTemperatureC);
        const duty = temperatureController((qk) => steady(dilution, qk).temperatureC, setpointC, dutyRangeKJPerH);
        const closed = steady(dilution, duty);
        const open = steady(dilution, r.variables[qName] * volumeL);
        return {
          implemented: { [dName]: dilution, [`${tOut} setpoint`]: setpointC, 'Qk_kJ_per_h (controller)': duty },
          profit: closed.profit,
          limits: limitsAt(closed),
          openLoop: { profit: open.profit, limits: limitsAt(open) },
        };
      },
    };
  };
  return {
    caseFor,
    description:
      `Each plant maximises VR·D·(cB − 0.15·cA0) − 0.05·|Qk|/1000 [$/h] over D ∈ [${dilutionRangePerH.join(', ')}] 1/h and q = Qk/VR (Qk ∈ [${dutyRangeKJPerH.join(', ')}] kJ/h) ` +
      `at its mean feed, subject to T ≤ ${cstrLimits.maxTemperatureC} °C and the product spec cB ≥ ${cstrLimits.minProductConcentration} mol/L (the model must meet cB ≥ spec + σ, σ its error in cB: its residual on the plant's own rows of steady operation less the analyser's repeatability). ` +
      `The plant runs the recommendation as setpoints of D and of its temperature controller (T_sp = the model's predicted T at its optimum), which moves the jacket duty; ` +
      `'open loop' applies the model's jacket duty instead. True optimum: the plant's simulator over the same box and limits.`,
  };
}

/**
 * The rows of steady operation: no decision input (by raw index) moved over the lag window by more
 * than 2 % of its range in these rows — the setpoints held, so the row shows the steady state the
 * optimizer reasons about (transients add dynamic error a steady-state recommendation never meets).
 */
export function steadyRows(data: { x: Tensor; y: Tensor }, inputs: readonly number[], lagsPerInput: number): { x: Tensor; y: Tensor } {
  const cols = data.x.cols;
  const keep: number[] = [];
  const range = inputs.map((i) => {
    let lo = Infinity, hi = -Infinity;
    for (let r = 0; r < data.x.rows; r++) {
      const v = data.x.data[r * cols + i * lagsPerInput];
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    return hi - lo;
  });
  for (let r = 0; r < data.x.rows; r++) {
    const steady = inputs.every((i, k) => {
      let lo = Infinity, hi = -Infinity;
      for (let l = 0; l < lagsPerInput; l++) {
        const v = data.x.data[r * cols + i * lagsPerInput + l];
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return hi - lo <= 0.02 * range[k];
    });
    if (steady) keep.push(r);
  }
  if (keep.length === 0) return data;
  const pick = (t: Tensor): Tensor => {
    const out = new Tensor(keep.length, t.cols);
    keep.forEach((r, k) => out.data.set(t.data.subarray(r * t.cols, (r + 1) * t.cols), k * t.cols));
    return out;
  };
  return { x: pick(data.x), y: pick(data.y) };
}

/**
 * The jacket duty at which the true reactor settles at `setpointC`: T rises monotonically with Qk
 * (less cooling), so a bracketed root; saturated at the range's ends when the setpoint is out of reach.
 */
function temperatureController(temperatureAt: (dutyKJPerH: number) => number, setpointC: number, range: readonly [number, number]): number {
  if (temperatureAt(range[1]) <= setpointC) return range[1];
  if (temperatureAt(range[0]) >= setpointC) return range[0];
  return bracketRoot((qk) => temperatureAt(qk) - setpointC, range[0], range[1], 1e-12) ?? range[0];
}
