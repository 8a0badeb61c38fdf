/**
 * Sensor logs of a van de Vusse plant, the kind of data a plant historian holds: operators move
 * the setpoints of D and Qk in random steps within the plant's operating window, feed
 * concentration and temperature wander (Ornstein–Uhlenbeck), the jacket fouls (heat transfer
 * falls slowly), sensors are noisy, biased and drift, and cB comes from a lagged analyser (dead
 * time, then held until the next result); later campaigns may move the window. The plant is integrated by Dormand–Prince between
 * samples; inputs are constant within a sample interval (zero-order hold, as a DCS applies them).
 */
import { z } from 'zod';
import { integrateOde } from './ode/dormandPrince.js';
import { Rng } from '../tensor/rng.js';
import { vanDeVusseParametersSchema, vanDeVusseRhs, vanDeVusseSteadyState, type VanDeVusseInputs } from './vanDeVusse.js';
import type { PlantDataset } from './dataset.js';

const range = z.tuple([z.number(), z.number()]).refine(([a, b]) => a < b, 'range must be [low, high] with low < high');
const sensorSchema = z.object({
  /** Standard deviation of white measurement noise, in the sensor's unit. */
  noiseStd: z.number().nonnegative(),
  /** Constant offset (calibration error). */
  bias: z.number(),
  /** Linear drift per hour of operation. */
  driftPerH: z.number(),
});
export type SensorSpec = z.infer<typeof sensorSchema>;

/** Everything that makes one van de Vusse plant and its log differ from another's. */
export const cstrPlantConfigSchema = z.object({
  plantId: z.string().min(1),
  parameters: vanDeVusseParametersSchema,
  /** Operating window the operators move within (covariate shift between plants). */
  window: z.object({ dilutionPerH: range, jacketDutyKJPerH: range }),
  /**
   * Later operating campaigns: from `fromH` hours into the log the setpoints are drawn in `window`
   * instead (the plant moves its operation); the first move happens at the campaign's start.
   * Default none.
   */
  campaigns: z.array(z.object({ fromH: z.number().positive(), window: z.object({ dilutionPerH: range, jacketDutyKJPerH: range }) })).default([]),
  /** Setpoints are held for a uniformly drawn time in [min, max] seconds. */
  holdS: range,
  feed: z.object({
    concentrationMean: z.number().positive(),
    concentrationStd: z.number().nonnegative(),
    temperatureMeanC: z.number(),
    temperatureStdC: z.number().nonnegative(),
    /** Correlation time of the feed disturbances [h]. */
    correlationTimeH: z.number().positive(),
  }),
  /** Fouling: kw·AR multiplied by floor + (1 − floor)·exp(−t/τ). */
  fouling: z.object({ timeConstantH: z.number().positive(), floor: z.number().min(0).max(1) }),
  samples: z.number().int().positive(),
  samplingIntervalS: z.number().positive(),
  sensors: z.object({ D: sensorSchema, Qk: sensorSchema, cA0: sensorSchema, T0: sensorSchema, T: sensorSchema, Tk: sensorSchema }),
  /** Product analyser for cB: sampled every `sampleIntervalS`, result after `deadTimeS`. */
  analyser: sensorSchema.extend({ sampleIntervalS: z.number().positive(), deadTimeS: z.number().nonnegative() }),
});
export type CstrPlantConfig = z.infer<typeof cstrPlantConfigSchema>;

/** Column names of a CSTR log, with units and physical bounds. */
export const cstrColumns = {
  time: 'time_s',
  inputs: ['D_per_h', 'Qk_kJ_per_h', 'cA0_mol_per_L', 'T0_degC'],
  outputs: ['T_degC', 'Tk_degC', 'cB_analyser_mol_per_L'],
  units: {
    time_s: 's', D_per_h: '1/h', Qk_kJ_per_h: 'kJ/h', cA0_mol_per_L: 'mol/L', T0_degC: 'degC',
    T_degC: 'degC', Tk_degC: 'degC', cB_analyser_mol_per_L: 'mol/L',
  } as Record<string, string>,
  bounds: {
    time_s: [0, 1e9], D_per_h: [0, 60], Qk_kJ_per_h: [-15000, 2000], cA0_mol_per_L: [0, 10], T0_degC: [50, 160],
    T_degC: [50, 200], Tk_degC: [20, 200], cB_analyser_mol_per_L: [0, 5],
  } as Record<string, readonly [number, number]>,
} as const;

/**
 * Simulates `samples` (default: the config's) sampling intervals of the plant and returns its
 * sensor log plus the true states. Deterministic in (config, seed).
 *
 * @example
 * const log = generateCstrLog(config, { seed: 1, samples: 500 });
 * log.values['T_degC'].length; // 500
 */
export function generateCstrLog(config: CstrPlantConfig, options: { seed: number; samples?: number }): PlantDataset {
  const n = options.samples ?? config.samples;
  const dtS = config.samplingIntervalS;
  const dtH = dtS / 3600;
  const rng = new Rng(options.seed);
  const moveRng = rng.fork('setpoints');
  const feedRng = rng.fork('feed');
  const noiseRng = rng.fork('sensors');
  const p = config.parameters;
  const fouling = (tH: number): number => config.fouling.floor + (1 - config.fouling.floor) * Math.exp(-tH / config.fouling.timeConstantH);

  const cols = [cstrColumns.time, ...cstrColumns.inputs, ...cstrColumns.outputs];
  const values: Record<string, Float64Array> = Object.fromEntries(cols.map((c) => [c, new Float64Array(n)]));
  const truth: Record<string, Float64Array> = Object.fromEntries(['cA', 'cB', 'T', 'Tk', 'heatTransferFactor'].map((c) => [c, new Float64Array(n)]));

  // Inputs over time: setpoint steps and OU feed disturbances (exact discretisation).
  const campaigns = [...config.campaigns].sort((a, b) => a.fromH - b.fromH);
  /** Index of the campaign in force at tH (−1: the plant's own window). */
  const campaignAt = (tH: number): number => {
    let index = -1;
    for (let i = 0; i < campaigns.length && campaigns[i].fromH <= tH; i++) index = i;
    return index;
  };
  const windowOf = (campaign: number): CstrPlantConfig['window'] => (campaign < 0 ? config.window : campaigns[campaign].window);
  let campaign = -1;
  const [dLo, dHi] = config.window.dilutionPerH;
  const [qLo, qHi] = config.window.jacketDutyKJPerH;
  const u: VanDeVusseInputs = {
    dilutionPerH: moveRng.uniform(dLo, dHi),
    jacketDutyKJPerH: moveRng.uniform(qLo, qHi),
    feedConcentration: config.feed.concentrationMean,
    feedTemperatureC: config.feed.temperatureMeanC,
  };
  let holdLeftS = moveRng.uniform(config.holdS[0], config.holdS[1]);
  const phi = Math.exp(-dtH / config.feed.correlationTimeH);
  const shock = Math.sqrt(1 - phi * phi);

  // The plant starts at the steady state of its first inputs (clean jacket).
  const s0 = vanDeVusseSteadyState(p, u, { heatTransferFactor: fouling(0) });
  let y: Float64Array = Float64Array.of(s0.cA, s0.cB, s0.temperatureC, s0.jacketTemperatureC);
  let step: number | undefined;

  // Analyser: results become available deadTime after each sample and are held.
  const analyserEvery = Math.max(1, Math.round(config.analyser.sampleIntervalS / dtS));
  const analyserDelay = Math.round(config.analyser.deadTimeS / dtS);
  const analyserSamples: number[] = []; // measured cB at each analyser sample, by index k/analyserEvery
  let analyserHeld = s0.cB + config.analyser.bias + noiseRng.normal(0, config.analyser.noiseStd);

  const measure = (spec: SensorSpec, trueValue: number, tH: number): number =>
    trueValue + spec.bias + spec.driftPerH * tH + noiseRng.normal(0, spec.noiseStd);
  const rhs = (tH: number, state: Float64Array, d: Float64Array): void => vanDeVusseRhs(p, u, state, d, fouling(tH));

  for (let k = 0; k < n; k++) {
    const tH = k * dtH;
    // Record the state at t_k with the inputs acting over [t_k, t_k+1).
    values[cstrColumns.time][k] = k * dtS;
    values.D_per_h[k] = measure(config.sensors.D, u.dilutionPerH, tH);
    values.Qk_kJ_per_h[k] = measure(config.sensors.Qk, u.jacketDutyKJPerH, tH);
    values.cA0_mol_per_L[k] = measure(config.sensors.cA0, u.feedConcentration, tH);
    values.T0_degC[k] = measure(config.sensors.T0, u.feedTemperatureC, tH);
    values.T_degC[k] = measure(config.sensors.T, y[2], tH);
    values.Tk_degC[k] = measure(config.sensors.Tk, y[3], tH);
    if (k % analyserEvery === 0) analyserSamples.push(measure(config.analyser, y[1], tH));
    const ready = k - analyserDelay;
    if (ready >= 0 && ready % analyserEvery === 0) analyserHeld = analyserSamples[ready / analyserEvery];
    values.cB_analyser_mol_per_L[k] = analyserHeld;
    truth.cA[k] = y[0];
    truth.cB[k] = y[1];
    truth.T[k] = y[2];
    truth.Tk[k] = y[3];
    truth.heatTransferFactor[k] = fouling(tH);

    // Advance the plant to t_{k+1}.
    if (k + 1 < n) {
      const sol = integrateOde(rhs, tH, y, [tH + dtH], { relTol: 1e-8, absTol: 1e-8, initialStep: step });
      step = sol.lastStep;
      y = sol.states;
      // Next interval's inputs.
      holdLeftS -= dtS;
      const next = campaignAt(tH + dtH);
      if (holdLeftS <= 0 || next !== campaign) {
        campaign = next;
        const w = windowOf(campaign);
        u.dilutionPerH = moveRng.uniform(w.dilutionPerH[0], w.dilutionPerH[1]);
        u.jacketDutyKJPerH = moveRng.uniform(w.jacketDutyKJPerH[0], w.jacketDutyKJPerH[1]);
        holdLeftS = moveRng.uniform(config.holdS[0], config.holdS[1]);
      }
      const f = config.feed;
      u.feedConcentration = f.concentrationMean + phi * (u.feedConcentration - f.concentrationMean) + f.concentrationStd * shock * feedRng.normal();
      u.feedTemperatureC = f.temperatureMeanC + phi * (u.feedTemperatureC - f.temperatureMeanC) + f.temperatureStdC * shock * feedRng.normal();
    }
  }
  return {
    plantId: config.plantId,
    process: 'cstr',
    columns: cols,
    timeColumn: cstrColumns.time,
    inputs: [...cstrColumns.inputs],
    outputs: [...cstrColumns.outputs],
    units: { ...cstrColumns.units },
    bounds: { ...cstrColumns.bounds },
    samplingIntervalS: dtS,
    values,
    truth,
    rowCount: n,
  };
}
