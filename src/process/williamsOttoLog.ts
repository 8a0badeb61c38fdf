/**
 * Steady-state operating records of a Williams–Otto plant: one record per hour at an operating
 * point drawn in the plant's own window (operators run where they run — covariate shift between
 * plants), with noisy, biased and drifting measurements of F_B, T_R and the outlet composition
 * analyser.
 */
import { z } from 'zod';
import { Rng } from '../tensor/rng.js';
import { williamsOttoParametersSchema, williamsOttoSteadyState } from './williamsOtto.js';
import type { PlantDataset } from './dataset.js';

const range = z.tuple([z.number(), z.number()]).refine(([a, b]) => a < b, 'range must be [low, high] with low < high');
const sensorSchema = z.object({ noiseStd: z.number().nonnegative(), bias: z.number(), driftPerH: z.number() });

/** Everything that makes one Williams–Otto plant and its records differ from another's. */
export const williamsOttoPlantConfigSchema = z.object({
  plantId: z.string().min(1),
  parameters: williamsOttoParametersSchema,
  /** Where this plant operates: F_B [kg/s] and T_R [°C] ranges inside the benchmark box. */
  window: z.object({ feedB: range, temperatureC: range }),
  samples: z.number().int().positive(),
  samplingIntervalS: z.number().positive(),
  sensors: z.object({
    feedB: sensorSchema,
    temperature: sensorSchema,
    /** The composition analyser (absolute mass-fraction units, same for all six components). */
    composition: sensorSchema,
  }),
});
export type WilliamsOttoPlantConfig = z.infer<typeof williamsOttoPlantConfigSchema>;

const components = ['xA', 'xB', 'xC', 'xE', 'xG', 'xP'] as const;

/** Column names, units and physical bounds of Williams–Otto records. */
export const williamsOttoColumns = {
  time: 'time_s',
  inputs: ['FB_kg_per_s', 'TR_degC'],
  outputs: components.map((c) => c),
  units: { time_s: 's', FB_kg_per_s: 'kg/s', TR_degC: 'degC', ...Object.fromEntries(components.map((c) => [c, 'kg/kg'])) } as Record<string, string>,
  bounds: {
    time_s: [0, 1e10], FB_kg_per_s: [0, 10], TR_degC: [0, 150], ...Object.fromEntries(components.map((c) => [c, [-0.05, 1.05]])),
  } as Record<string, readonly [number, number]>,
};

/**
 * Generates `samples` (default: the config's) steady-state records. Deterministic in (config, seed).
 *
 * @example
 * const ds = generateWilliamsOttoRecords(config, { seed: 7 });
 * ds.values.xP; // measured P mass fraction per record
 */
export function generateWilliamsOttoRecords(config: WilliamsOttoPlantConfig, options: { seed: number; samples?: number }): PlantDataset {
  const n = options.samples ?? config.samples;
  const rng = new Rng(options.seed);
  const pointRng = rng.fork('operating-points');
  const noiseRng = rng.fork('sensors');
  const cols = [williamsOttoColumns.time, ...williamsOttoColumns.inputs, ...williamsOttoColumns.outputs];
  const values: Record<string, Float64Array> = Object.fromEntries(cols.map((c) => [c, new Float64Array(n)]));
  const truth: Record<string, Float64Array> = Object.fromEntries(
    ['FB_kg_per_s', 'TR_degC', ...components, 'profit_usd_per_s'].map((c) => [c, new Float64Array(n)]),
  );
  const s = config.sensors;
  for (let k = 0; k < n; k++) {
    const tS = k * config.samplingIntervalS;
    const tH = tS / 3600;
    const fb = pointRng.uniform(config.window.feedB[0], config.window.feedB[1]);
    const T = pointRng.uniform(config.window.temperatureC[0], config.window.temperatureC[1]);
    const st = williamsOttoSteadyState(config.parameters, fb, T);
    values.time_s[k] = tS;
    values.FB_kg_per_s[k] = fb + s.feedB.bias + s.feedB.driftPerH * tH + noiseRng.normal(0, s.feedB.noiseStd);
    values.TR_degC[k] = T + s.temperature.bias + s.temperature.driftPerH * tH + noiseRng.normal(0, s.temperature.noiseStd);
    truth.FB_kg_per_s[k] = fb;
    truth.TR_degC[k] = T;
    truth.profit_usd_per_s[k] = st.profit;
    for (const c of components) {
      values[c][k] = st[c] + s.composition.bias + s.composition.driftPerH * tH + noiseRng.normal(0, s.composition.noiseStd);
      truth[c][k] = st[c];
    }
  }
  return {
    plantId: config.plantId,
    process: 'williams-otto',
    columns: cols,
    timeColumn: williamsOttoColumns.time,
    inputs: [...williamsOttoColumns.inputs],
    outputs: [...williamsOttoColumns.outputs],
    units: { ...williamsOttoColumns.units },
    bounds: { ...williamsOttoColumns.bounds },
    samplingIntervalS: config.samplingIntervalS,
    values,
    truth,
    rowCount: n,
  };
}
