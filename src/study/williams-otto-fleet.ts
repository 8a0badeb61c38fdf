/**
 * The Williams–Otto fleets of the optimization study, and their data as train/test splits.
 *
 * Three plants of one licensed process (catalyst activity and activation energies within a few per
 * cent), each in its own operating window, with unequal and noisy records: no plant has operated
 * near the constrained optimum (F_B ≈ 5 kg/s, T_R ≈ 84 °C), but together they surround it. That is
 * where a shared model pays — a local model must extrapolate to find the optimum — and where plant
 * differences matter: at one operating point the plants' x_G differ by ±0.004, as much as the
 * optimum's whole margin.
 *
 * The validation fleet has the same windows and record counts but other kinetics; the study's
 * settings (model degree, training, confidence) were chosen on it (seeds 11–14), never on the fleet
 * and seeds whose regret is reported.
 */
import { nominalWilliamsOtto, type WilliamsOttoParameters } from '../process/williamsOtto.js';
import { williamsOttoPlantConfigSchema, type WilliamsOttoPlantConfig } from '../process/williamsOttoLog.js';
import { scenarioFromConfigs, type Scenario } from '../process/scenario.js';
import { Tensor } from '../tensor/tensor.js';
import type { PlantSplit } from './compare.js';

/** Model inputs and outputs of the study (the simulator's record columns). */
export const williamsOttoStudyColumns = {
  inputs: ['FB_kg_per_s', 'TR_degC'] as const,
  outputs: ['xA', 'xB', 'xC', 'xE', 'xG', 'xP'] as const,
};

interface Kinetics {
  activity: number;
  activationShift: number;
}

function fleet(kinetics: readonly [Kinetics, Kinetics, Kinetics]): WilliamsOttoPlantConfig[] {
  const plant = (plantId: string, k: Kinetics, feedB: [number, number], temperatureC: [number, number], samples: number, noise: number): WilliamsOttoPlantConfig => {
    const n = nominalWilliamsOtto;
    const parameters: WilliamsOttoParameters = {
      ...n,
      preExponentialPerS: n.preExponentialPerS.map((v) => v * k.activity) as [number, number, number],
      activationTemperatureK: n.activationTemperatureK.map((e) => e * (1 + k.activationShift)) as [number, number, number],
    };
    const quiet = { noiseStd: 0, bias: 0, driftPerH: 0 };
    return williamsOttoPlantConfigSchema.parse({
      plantId, parameters, window: { feedB, temperatureC }, samples, samplingIntervalS: 3600,
      sensors: { feedB: { ...quiet, noiseStd: 0.01 }, temperature: { ...quiet, noiseStd: 0.2 }, composition: { ...quiet, noiseStd: noise } },
    });
  };
  return [
    plant('plant-a', kinetics[0], [3.0, 4.4], [70, 82], 800, 0.001),
    plant('plant-b', kinetics[1], [3.4, 4.6], [86, 100], 400, 0.0015),
    plant('plant-c', kinetics[2], [5.3, 6.0], [70, 100], 200, 0.002),
  ];
}

/**
 * The reported fleet: catalyst activity 1.00/0.98/1.02, activation energies 0/+0.2/−0.2 %; windows
 * low F_B and T (800 records), low F_B and high T (400), high F_B (200).
 */
export function sameProcessFleet(): WilliamsOttoPlantConfig[] {
  return fleet([{ activity: 1, activationShift: 0 }, { activity: 0.98, activationShift: 0.002 }, { activity: 1.02, activationShift: -0.002 }]);
}

/** The validation fleet: the same windows, activity 1.01/0.97/1.03, activation energies −0.1/+0.3/−0.1 %. */
export function validationFleet(): WilliamsOttoPlantConfig[] {
  return fleet([{ activity: 1.01, activationShift: -0.001 }, { activity: 0.97, activationShift: 0.003 }, { activity: 1.03, activationShift: -0.001 }]);
}

/** The fleet as a scenario (truth per plant) and each plant's records split 80/20 in time. */
export function fleetSplits(configs: readonly WilliamsOttoPlantConfig[], seed: number): { scenario: Scenario<'williams-otto'>; plants: PlantSplit[] } {
  const scenario = scenarioFromConfigs('williams-otto', [...configs], seed);
  const plants = scenario.plants.map((p) => {
    const ds = p.generate();
    const cut = ds.rowCount - Math.round(ds.rowCount * 0.2);
    const table = (cols: readonly string[], lo: number, hi: number): Tensor => {
      const t = new Tensor(hi - lo, cols.length);
      for (let i = lo; i < hi; i++) cols.forEach((c, j) => (t.data[(i - lo) * cols.length + j] = ds.values[c][i]));
      return t;
    };
    const { inputs, outputs } = williamsOttoStudyColumns;
    return {
      plantId: p.plantId,
      train: { x: table(inputs, 0, cut), y: table(outputs, 0, cut) },
      test: { x: table(inputs, cut, ds.rowCount), y: table(outputs, cut, ds.rowCount) },
    };
  });
  return { scenario, plants };
}
