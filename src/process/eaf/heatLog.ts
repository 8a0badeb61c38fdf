/**
 * A melt shop's heat records: each heat charges the plant's usual recipe with heat-to-heat
 * variation, the scrap's real composition scatters around its grade's nominal (scrap is not a
 * pure substance), practice (O2, burner gas, tap-to-tap time) varies, and tap chemistry, tapped
 * weight and energy are measured with analysis, scale and meter error.
 */
import { z } from 'zod';
import { Rng } from '../../tensor/rng.js';
import { eafElements, type EafElement, type EafMaterial } from './materials.js';
import { eafPlantSchema, simulateHeat, type EafPlant, type HeatPractice } from './heat.js';
import type { PlantDataset } from '../dataset.js';

/** Everything that makes one melt shop and its heat records differ from another's. */
export const eafPlantConfigSchema = z.object({
  plant: eafPlantSchema,
  /** Usual charge recipe: material id → mass share (normalised by the generator). */
  recipe: z.record(z.string(), z.number().nonnegative()),
  /** Nominal total charge per heat [t]. */
  chargeT: z.number().positive(),
  samples: z.number().int().positive(),
  variability: z.object({
    /** Log-normal relative scatter of each recipe share per heat. */
    recipeRelStd: z.number().nonnegative(),
    /** Relative scatter of the total charge per heat. */
    chargeRelStd: z.number().nonnegative(),
    /** Log-normal relative scatter of tramp and carbon contents of each material per heat. */
    compositionRelStd: z.number().nonnegative(),
    oxygenRelStd: z.number().nonnegative(),
    burnerRelStd: z.number().nonnegative(),
    tapToTapStdMin: z.number().nonnegative(),
  }),
  sensors: z.object({
    /** Relative standard deviation of spectrometer analysis per element. */
    chemistryRelStd: z.number().nonnegative(),
    /** Systematic relative bias of the spectrometer (calibration). */
    chemistryRelBias: z.number(),
    scaleStdT: z.number().nonnegative(),
    energyMeterRelStd: z.number().nonnegative(),
  }),
});
export type EafPlantConfig = z.infer<typeof eafPlantConfigSchema>;

/** The tap-chemistry elements reported as outputs (Fe is the balance and not reported). */
export const eafReportedElements: readonly EafElement[] = eafElements.filter((e) => e !== 'Fe');

/**
 * Column names, units and bounds of heat records for a plant's materials.
 *
 * @example
 * eafColumns(plant).inputs; // ['charge_hms_t', …, 'oxygen_Nm3', 'burner_gas_Nm3', 'tap_to_tap_min']
 */
export function eafColumns(plant: EafPlant): { time: string; inputs: string[]; outputs: string[]; units: Record<string, string>; bounds: Record<string, readonly [number, number]> } {
  const charge = plant.materials.map((m) => `charge_${m.id}_t`);
  const inputs = [...charge, 'oxygen_Nm3', 'burner_gas_Nm3', 'tap_to_tap_min'];
  const outputs = ['steel_t', 'energy_kWh_per_t', ...eafReportedElements.map((e) => `tap_${e}_wtpct`)];
  const units: Record<string, string> = { time_s: 's', oxygen_Nm3: 'Nm3', burner_gas_Nm3: 'Nm3', tap_to_tap_min: 'min', steel_t: 't', energy_kWh_per_t: 'kWh/t' };
  const bounds: Record<string, readonly [number, number]> = {
    time_s: [0, 1e10], oxygen_Nm3: [0, 20000], burner_gas_Nm3: [0, 5000], tap_to_tap_min: [10, 600], steel_t: [0, 500], energy_kWh_per_t: [0, 1500],
  };
  for (const c of charge) { units[c] = 't'; bounds[c] = [0, 500]; }
  for (const e of eafReportedElements) { units[`tap_${e}_wtpct`] = 'wt%'; bounds[`tap_${e}_wtpct`] = [0, 30]; }
  return { time: 'time_s', inputs, outputs, units, bounds };
}

/**
 * Generates `samples` (default: the config's) heat records. The truth holds, per heat, the
 * expected outputs for that charge and practice (nominal compositions) — what a learned model
 * should predict — and the noise-free actual outputs (with that heat's real scrap composition).
 *
 * @example
 * const ds = generateEafHeats(config, { seed: 3 });
 * ds.values.energy_kWh_per_t;
 */
export function generateEafHeats(config: EafPlantConfig, options: { seed: number; samples?: number }): PlantDataset {
  const n = options.samples ?? config.samples;
  const { plant, variability: v, sensors } = config;
  const rng = new Rng(options.seed);
  const chargeRng = rng.fork('charge');
  const scrapRng = rng.fork('scrap');
  const noiseRng = rng.fork('sensors');
  const cols = eafColumns(plant);
  const columns = [cols.time, ...cols.inputs, ...cols.outputs];
  const values: Record<string, Float64Array> = Object.fromEntries(columns.map((c) => [c, new Float64Array(n)]));
  const truth: Record<string, Float64Array> = Object.fromEntries(
    [...cols.outputs, ...cols.outputs.map((c) => `actual_${c}`), 'cost_usd', 'co2_t'].map((c) => [c, new Float64Array(n)]),
  );
  const shareSum = Object.values(config.recipe).reduce((a, b) => a + b, 0);
  if (!(shareSum > 0)) throw new RangeError(`EAF plant ${plant.plantId}: recipe shares must sum to > 0`);
  const logNormal = (r: Rng, rel: number): number => Math.exp(r.normal(0, rel) - (rel * rel) / 2); // mean 1
  let timeS = 0;
  for (let k = 0; k < n; k++) {
    // Charge of this heat.
    const total = config.chargeT * (1 + chargeRng.normal(0, v.chargeRelStd));
    const shares = plant.materials.map((m) => (config.recipe[m.id] ?? 0) * logNormal(chargeRng, v.recipeRelStd));
    const sum = shares.reduce((a, b) => a + b, 0);
    const charge: Record<string, number> = {};
    plant.materials.forEach((m, j) => { charge[m.id] = Math.min(m.availabilityT, (shares[j] / sum) * total); });
    const expectedSteel = simulateHeat(plant, charge).steelT;
    const practice: HeatPractice = {
      oxygenNm3: plant.practice.oxygenNm3PerT * expectedSteel * logNormal(chargeRng, v.oxygenRelStd),
      burnerGasNm3: plant.practice.burnerGasNm3PerT * expectedSteel * logNormal(chargeRng, v.burnerRelStd),
      tapToTapMin: Math.max(plant.practice.tapToTapMin * 0.7, plant.practice.tapToTapMin + Math.abs(chargeRng.normal(0, v.tapToTapStdMin))),
    };
    // This heat's real scrap: tramp and carbon contents scatter, Fe takes up the difference.
    const actualPlant: EafPlant = { ...plant, materials: plant.materials.map((m) => scatterComposition(m, scrapRng, v.compositionRelStd)) };
    const expected = simulateHeat(plant, charge, practice);
    const actual = simulateHeat(actualPlant, charge, practice);

    timeS += practice.tapToTapMin * 60;
    values.time_s[k] = timeS;
    for (const m of plant.materials) values[`charge_${m.id}_t`][k] = charge[m.id];
    values.oxygen_Nm3[k] = practice.oxygenNm3;
    values.burner_gas_Nm3[k] = practice.burnerGasNm3;
    values.tap_to_tap_min[k] = practice.tapToTapMin;
    const record = (prefix: string, r: typeof actual, into: Record<string, Float64Array>): void => {
      into[`${prefix}steel_t`][k] = r.steelT;
      into[`${prefix}energy_kWh_per_t`][k] = r.electricKWhPerT;
      for (const e of eafReportedElements) into[`${prefix}tap_${e}_wtpct`][k] = 100 * r.tap[e];
    };
    record('', expected, truth);
    record('actual_', actual, truth);
    truth.cost_usd[k] = expected.costUsd;
    truth.co2_t[k] = expected.co2T;
    values.steel_t[k] = actual.steelT + noiseRng.normal(0, sensors.scaleStdT);
    values.energy_kWh_per_t[k] = actual.electricKWhPerT * (1 + noiseRng.normal(0, sensors.energyMeterRelStd));
    for (const e of eafReportedElements) {
      values[`tap_${e}_wtpct`][k] = Math.max(0, 100 * actual.tap[e] * (1 + sensors.chemistryRelBias + noiseRng.normal(0, sensors.chemistryRelStd)));
    }
  }
  return {
    plantId: plant.plantId,
    process: 'eaf',
    columns,
    timeColumn: cols.time,
    inputs: cols.inputs,
    outputs: cols.outputs,
    units: cols.units,
    bounds: cols.bounds,
    values,
    truth,
    rowCount: n,
  };
}

const scattered: readonly EafElement[] = ['Cu', 'Sn', 'Ni', 'Cr', 'Mo', 'C'];

function scatterComposition(m: EafMaterial, rng: Rng, rel: number): EafMaterial {
  if (rel === 0) return m;
  const composition = { ...m.composition };
  let delta = 0;
  for (const e of scattered) {
    const before = composition[e];
    composition[e] = before * Math.exp(rng.normal(0, rel) - (rel * rel) / 2);
    delta += composition[e] - before;
  }
  // Fe takes up the difference; a material without Fe (carburiser) trades against its gangue.
  if (composition.Fe >= delta) composition.Fe -= delta;
  return { ...m, composition };
}
