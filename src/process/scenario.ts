/**
 * Scenarios: a fleet of simulated plants of one process, each with its documented configuration,
 * a data generator and the true simulator ("truth") for scoring. Everything is reproducible from
 * the scenario seed; plant configurations are plain data validated by Zod, so a CLI can also load
 * them from files (`scenarioFromConfigs`).
 */
import { z } from 'zod';
import { Rng } from '../tensor/rng.js';
import type { PlantDataset, ProcessName } from './dataset.js';
import { williamsOttoSteadyState, type WilliamsOttoParameters, type WilliamsOttoState } from './williamsOtto.js';
import { williamsOttoOptimum, type WilliamsOttoOptimum, type WilliamsOttoOptimumOptions } from './williamsOttoOptimum.js';
import { generateWilliamsOttoRecords, williamsOttoPlantConfigSchema, type WilliamsOttoPlantConfig } from './williamsOttoLog.js';
import { vanDeVusseProfit, vanDeVusseSteadyState, type VanDeVusseInputs, type VanDeVusseParameters, type VanDeVusseSteadyState } from './vanDeVusse.js';
import { vanDeVusseOptimum, type VanDeVusseOptimum } from './vanDeVusseOptimum.js';
import { cstrPlantConfigSchema, generateCstrLog, type CstrPlantConfig } from './vanDeVusseLog.js';
import { simulateHeat, type EafPlant, type HeatPractice, type HeatResult } from './eaf/heat.js';
import { optimalCharge, type EafSpec, type OptimalCharge } from './eaf/optimalCharge.js';
import { eafPlantConfigSchema, generateEafHeats, type EafPlantConfig } from './eaf/heatLog.js';
import { williamsOttoHomogeneousPreset, williamsOttoPaperPreset, williamsOttoRandomPlants } from './presets/williamsOtto.js';
import { cstrHeterogeneousPreset, cstrHomogeneousPreset, cstrPaperPreset, cstrRandomPlants } from './presets/cstr.js';
import { eafHomogeneousPreset, eafPaperPreset, eafRandomPlants } from './presets/eaf.js';

/**
 * Named plant sets: the three-plant setting after arXiv 2604.26073, identical plants, or (CSTR) the
 * strongly heterogeneous three plants that were the CSTR's arXiv preset before; for Williams–Otto
 * and EAF, whose arXiv presets are that strongly heterogeneous design, the two names are the same.
 */
export const presetNames = ['arxiv-2604.26073', 'strongly-heterogeneous', 'homogeneous'] as const;
export type PresetName = (typeof presetNames)[number];

/** The true simulator of a Williams–Otto plant. */
export interface WilliamsOttoTruth {
  parameters: WilliamsOttoParameters;
  steadyState(feedBKgPerS: number, temperatureC: number): WilliamsOttoState;
  /** True optimum over the benchmark box (default) or `bounds`, with or without the x_A/x_G limits. */
  optimum(options?: WilliamsOttoOptimumOptions): WilliamsOttoOptimum;
}
/** The true simulator of a van de Vusse plant. */
export interface CstrTruth {
  parameters: VanDeVusseParameters;
  steadyState(inputs: VanDeVusseInputs, options?: { heatTransferFactor?: number }): VanDeVusseSteadyState;
  /** Steady-state profit [$/h] (see `vanDeVusseProfit`). */
  profit(inputs: VanDeVusseInputs, options?: { heatTransferFactor?: number }): number;
  /** True optimum over D ∈ [3, 35], Qk ∈ [−9000, 0] at the plant's mean feed and clean jacket. */
  optimum(): VanDeVusseOptimum;
}
/** The true simulator of an EAF melt shop. */
export interface EafTruth {
  plant: EafPlant;
  heat(chargeT: Record<string, number>, practice?: HeatPractice): HeatResult;
  optimalCharge(spec: EafSpec): Promise<OptimalCharge>;
}

interface ConfigOf { 'williams-otto': WilliamsOttoPlantConfig; cstr: CstrPlantConfig; eaf: EafPlantConfig }
interface TruthOf { 'williams-otto': WilliamsOttoTruth; cstr: CstrTruth; eaf: EafTruth }

/** One simulated plant. */
export interface SimulatedPlant<P extends ProcessName = ProcessName> {
  plantId: string;
  process: P;
  config: ConfigOf[P];
  /** Generates the plant's data; `samples` defaults to the config's (quantity skew), `seed` to the scenario's per-plant seed. */
  generate(options?: { samples?: number; seed?: number }): PlantDataset;
  truth: TruthOf[P];
}

export interface Scenario<P extends ProcessName = ProcessName> {
  process: P;
  seed: number;
  preset?: PresetName;
  plants: SimulatedPlant<P>[];
}

export interface ScenarioOptions {
  /** Number of plants (ignored by the three-plant preset). Default 3. */
  plants?: number;
  /** Seed of plant configs and data. Default 0. */
  seed?: number;
  preset?: PresetName;
}

const schemas = { 'williams-otto': williamsOttoPlantConfigSchema, cstr: cstrPlantConfigSchema, eaf: eafPlantConfigSchema } as const;

/**
 * Builds a fleet of simulated plants.
 *
 * @example
 * const sc = scenario('cstr', { seed: 7, preset: 'arxiv-2604.26073' });
 * const log = sc.plants[0].generate();            // sensor log of plant-a
 * sc.plants[0].truth.steadyState({ dilutionPerH: 14.19, jacketDutyKJPerH: -1113.5, feedConcentration: 5.1, feedTemperatureC: 104.9 });
 */
export function scenario<P extends ProcessName>(process: P, options: ScenarioOptions = {}): Scenario<P> {
  const count = options.plants ?? 3;
  const seed = options.seed ?? 0;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`scenario(${process}): plants must be a positive integer, got ${count}`);
  if (!(process in schemas)) throw new RangeError(`scenario: unknown process '${String(process)}' (known: ${Object.keys(schemas).join(', ')})`);
  if (options.preset !== undefined && !presetNames.includes(options.preset)) {
    throw new RangeError(`scenario(${process}): unknown preset '${options.preset}' (known: ${presetNames.join(', ')})`);
  }
  const rng = new Rng(seed).fork(`${process}-configs`);
  let configs: unknown[];
  if (process === 'williams-otto') {
    configs = options.preset === 'arxiv-2604.26073' || options.preset === 'strongly-heterogeneous' ? williamsOttoPaperPreset()
      : options.preset === 'homogeneous' ? williamsOttoHomogeneousPreset(count) : williamsOttoRandomPlants(count, rng);
  } else if (process === 'cstr') {
    configs = options.preset === 'arxiv-2604.26073' ? cstrPaperPreset()
      : options.preset === 'strongly-heterogeneous' ? cstrHeterogeneousPreset()
      : options.preset === 'homogeneous' ? cstrHomogeneousPreset(count) : cstrRandomPlants(count, rng);
  } else {
    configs = options.preset === 'arxiv-2604.26073' || options.preset === 'strongly-heterogeneous' ? eafPaperPreset()
      : options.preset === 'homogeneous' ? eafHomogeneousPreset(count) : eafRandomPlants(count, rng);
  }
  return { ...scenarioFromConfigs(process, configs, seed), preset: options.preset };
}

/**
 * Builds a scenario from plant configurations given as data (e.g. read from a YAML file by the
 * CLI); each is validated, and an invalid one is reported with its index and the failing field.
 */
export function scenarioFromConfigs<P extends ProcessName>(process: P, configs: unknown[], seed = 0): Scenario<P> {
  const schema = schemas[process];
  const plants = configs.map((raw, i) => {
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RangeError(`${process} plant config #${i}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
    return makePlant(process, parsed.data as ConfigOf[P], seed);
  });
  const ids = new Set<string>();
  for (const p of plants) {
    if (ids.has(p.plantId)) throw new RangeError(`${process} scenario: duplicate plantId '${p.plantId}'`);
    ids.add(p.plantId);
  }
  return { process, seed, plants };
}

function plantSeed(seed: number, plantId: string): number {
  return new Rng(seed).fork(`data-${plantId}`).nextUint32();
}

function makePlant<P extends ProcessName>(process: P, config: ConfigOf[P], seed: number): SimulatedPlant<P> {
  if (process === 'williams-otto') {
    const c = config as WilliamsOttoPlantConfig;
    const plant: SimulatedPlant<'williams-otto'> = {
      plantId: c.plantId, process: 'williams-otto', config: c,
      generate: (o = {}) => generateWilliamsOttoRecords(c, { seed: o.seed ?? plantSeed(seed, c.plantId), samples: o.samples }),
      truth: {
        parameters: c.parameters,
        steadyState: (fb, T) => williamsOttoSteadyState(c.parameters, fb, T),
        optimum: (o) => williamsOttoOptimum(c.parameters, o),
      },
    };
    return plant as unknown as SimulatedPlant<P>;
  }
  if (process === 'cstr') {
    const c = config as CstrPlantConfig;
    const feed = { feedConcentration: c.feed.concentrationMean, feedTemperatureC: c.feed.temperatureMeanC };
    const plant: SimulatedPlant<'cstr'> = {
      plantId: c.plantId, process: 'cstr', config: c,
      generate: (o = {}) => generateCstrLog(c, { seed: o.seed ?? plantSeed(seed, c.plantId), samples: o.samples }),
      truth: {
        parameters: c.parameters,
        steadyState: (u, o) => vanDeVusseSteadyState(c.parameters, u, o),
        profit: (u, o) => vanDeVusseProfit(c.parameters, u, vanDeVusseSteadyState(c.parameters, u, o)),
        optimum: () => vanDeVusseOptimum(c.parameters, { feed }),
      },
    };
    return plant as unknown as SimulatedPlant<P>;
  }
  const c = config as EafPlantConfig;
  const plant: SimulatedPlant<'eaf'> = {
    plantId: c.plant.plantId, process: 'eaf', config: c,
    generate: (o = {}) => generateEafHeats(c, { seed: o.seed ?? plantSeed(seed, c.plant.plantId), samples: o.samples }),
    truth: {
      plant: c.plant,
      heat: (charge, practice) => simulateHeat(c.plant, charge, practice),
      optimalCharge: (spec) => optimalCharge(spec, c.plant),
    },
  };
  return plant as unknown as SimulatedPlant<P>;
}
