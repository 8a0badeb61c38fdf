/**
 * The demo's plants as files and as train/test splits: simulated logs written the way real plants'
 * logs arrive (CSV + schema per plant), or the debutanizer column split by time into three plants;
 * then, per plant, a time split with a gap and the lagged features every method trains on. The
 * federated plants get only their training block as a file (with the feature spec in its schema);
 * the test block never leaves this process. The last quarter of each training block is also kept
 * as a validation block, on which the demo's settings were chosen (`selectDemoSettings`).
 *
 * The CSTR's jacket duty enters the model per litre of reactor, q = Qk / VR [kJ/(h·L)]: each plant
 * knows its reactor volume from its design data, and at steady state the reactor temperature
 * depends on Qk only through Qk / VR (the jacket removes Qk; the reactor's energy balance is per
 * volume), so reactors of different sizes share one model.
 *
 * @example
 * const prepared = await preparePlants({ scenario: 'cstr', seed: 7, dir: 'out/run-1' });
 * prepared.plants.map((p) => p.split.train.rows);
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bundledDebutanizerCsv } from '../data/examples/debutanizer.js';
import { type PlantDataset, datasetFromColumns, sliceDataset } from '../data/dataset.js';
import { readManifestPlants, writePlantFiles } from '../data/manifest.js';
import { parsePlantCsv } from '../data/read-csv.js';
import { plantSchema, type FeatureSpec } from '../data/schema.js';
import { writeSimulatedPlants } from '../data/simulate.js';
import { type SplitFeatures, splitFeatures } from '../data/split.js';
import type { PlantSplit } from '../study/compare.js';
import { Tensor } from '../tensor/tensor.js';
import { type PresetName, scenario, scenarioFromConfigs, type SimulatedPlant } from '../process/scenario.js';
import { datasetFromSimulation } from '../data/simulated.js';
import { readPlantCsv } from '../data/read-csv.js';
import { sameProcessFleet } from '../study/williams-otto-fleet.js';
import type { ProcessName } from '../process/dataset.js';

/** Scenarios the demo runs: three simulators, or the real debutanizer data. */
export const demoScenarios = ['cstr', 'williams-otto', 'eaf', 'debutanizer'] as const;
export type DemoScenario = (typeof demoScenarios)[number];

export interface DemoPlant {
  plantId: string;
  /** The plant's whole log, with the feature spec in its schema. */
  dataset: PlantDataset;
  split: SplitFeatures;
  /** Tensors for `compareTraining`. */
  data: PlantSplit;
  /** The training block cut in two by time: its first three quarters (train) and last quarter (test = validation). */
  validation: PlantSplit;
  /** The training block as the plant's federation file (`crucible plant --data/--schema`). */
  trainFile: { data: string; schema: string };
  /** The simulator behind the plant (absent for real data). */
  simulated?: SimulatedPlant;
}

export interface PreparedPlants {
  scenario: DemoScenario;
  /** The simulated plants' preset (absent for real data). */
  preset?: PresetName;
  /** Names of the model inputs (features, from the first plant) and outputs. */
  inputNames: string[];
  outputNames: string[];
  plants: DemoPlant[];
  /** How the features were chosen, in words (for the report). */
  featureNote: string;
  /**
   * 'same-process': the Williams–Otto fleet of the optimization study (`sameProcessFleet`: three
   * plants of one process, catalyst activity 1.00/0.98/1.02), used for the default preset.
   */
  fleet?: 'same-process';
}

export interface PreparePlantsOptions {
  scenario: DemoScenario;
  /** Preset of the simulated plants. Default 'arxiv-2604.26073'. */
  preset?: PresetName;
  seed: number;
  /** Run folder: `plants/` (logs) and `federation/` (training blocks) are written under it. */
  dir: string;
  /** Samples per simulated plant (fast mode); default each preset plant's own count. */
  samples?: number;
  /** The debutanizer CSV (scenario 'debutanizer'). */
  debutanizerFile?: string;
  /** Share of each plant's rows (after the gap) used for training; the rest is the test block. Default 0.7. */
  trainShare?: number;
}

/**
 * Lags of the dynamic CSTR model in MINUTES, the same physical window at every plant (plants log
 * every 1 or 2 min, so the lags in samples differ). 10 min spans the residence time (2–12 min at
 * D = 5–35 1/h) and the analyser's dead time plus hold (2–10 min). Outputs are not fed back: the
 * steady state of a model in inputs only is the model at constant inputs (what the optimizer needs).
 */
const cstrLagsMinutes = [0, 2, 4, 6, 8, 10];
/**
 * Debutanizer soft sensor: the regressors of Fortuna et al. (Soft Sensors for Monitoring and Control
 * of Industrial Processes, Springer 2007, ch. 5): u1–u7 now, u5 (bottom temperature) at lags 1–3,
 * and the butane content y at lags 4–6 — the gas chromatograph reports it about four samples late.
 */
const debutanizerFeatures: FeatureSpec = { defaultLags: [0], lags: { u5: [0, 1, 2, 3], y: [4, 5, 6] }, differences: {} };

/** Writes the plants' files and builds their splits. */
export async function preparePlants(options: PreparePlantsOptions): Promise<PreparedPlants> {
  const plantsDir = join(options.dir, 'plants');
  const federationDir = join(options.dir, 'federation', 'data');
  await mkdir(federationDir, { recursive: true });
  const preset = options.preset ?? 'arxiv-2604.26073';
  // Williams–Otto with the default preset runs the optimization study's fleet, split 80/20 in time
  // as the study splits it (`fleetSplits`); every other plant set 70/30.
  const studyFleet = options.scenario === 'williams-otto' && preset === 'arxiv-2604.26073';
  const trainShare = options.trainShare ?? (studyFleet ? 0.8 : 0.7);
  let logs: { id: string; dataset: PlantDataset; simulated?: SimulatedPlant }[];
  let featureNote: string;
  if (options.scenario === 'debutanizer') {
    logs = await debutanizerPlants(options.debutanizerFile ?? bundledDebutanizerCsv(), plantsDir);
    featureNote = 'u1…u7 now, u5 at lags 1–3, y at lags 4–6 (the analyser delay), as in Fortuna et al. 2007';
  } else if (studyFleet) {
    logs = await williamsOttoStudyPlants(options.seed, plantsDir, options.samples);
    featureNote = 'static model: F_B and T_R at lag 0 (steady-state records); the fleet of the optimization study (williams-otto-fleet.ts)';
  } else {
    const process = options.scenario as ProcessName;
    await writeSimulatedPlants({ process, preset, seed: options.seed, out: plantsDir, samples: options.samples });
    const fleet = scenario(process, { preset, seed: options.seed });
    const byId = new Map(fleet.plants.map((p) => [p.plantId, p]));
    logs = (await readManifestPlants(join(plantsDir, 'manifest.json'))).map(({ id, dataset }) => {
      const simulated = byId.get(id);
      if (process !== 'cstr' || simulated === undefined) return { id, dataset, simulated };
      return { id, dataset: withSpecificDuty(dataset, (simulated as SimulatedPlant<'cstr'>).config.parameters.reactorVolumeL), simulated };
    });
    featureNote =
      process === 'cstr'
        ? `D, q = Qk/VR, cA0, T0 at lags ${cstrLagsMinutes.join(', ')} min (in samples at each plant's own logging interval); no output feedback`
        : 'static model: inputs at lag 0 (steady-state samples)';
  }
  const plants: DemoPlant[] = [];
  for (const log of logs) {
    const spec = featureSpecFor(options.scenario, log.dataset);
    const dataset: PlantDataset = { ...log.dataset, schema: { ...log.dataset.schema, features: spec } };
    const split = splitFeatures(dataset, { spec, train: trainShare, validation: 0, test: 1 - trainShare });
    // The same training block's first three quarters and last quarter, by time with a gap.
    const inner = splitFeatures(sliceDataset(dataset, split.split.train), { spec, train: 0.75, validation: 0, test: 0.25 });
    const tensors = (t: SplitFeatures['train']) => ({
      x: new Tensor(t.rows, t.names.length, t.x),
      y: new Tensor(t.rows, t.targets.length, t.y),
    });
    const entry = await writePlantFiles(federationDir, `${log.id}.train`, sliceDataset(dataset, split.split.train), {
      description: `${log.id}: training block (rows ${split.split.train.start}–${split.split.train.end - 1}) for the federation`,
    });
    plants.push({
      plantId: log.id,
      dataset,
      split,
      data: { plantId: log.id, train: tensors(split.train), test: tensors(split.test) },
      validation: { plantId: log.id, train: tensors(inner.train), test: tensors(inner.test) },
      trainFile: { data: join(federationDir, entry.data), schema: join(federationDir, entry.schema) },
      simulated: log.simulated,
    });
  }
  const widths = new Set(plants.map((p) => p.split.train.names.length));
  if (widths.size !== 1) throw new RangeError(`demo: plants have different feature counts (${[...widths].join(', ')})`);
  return {
    scenario: options.scenario,
    ...(options.scenario === 'debutanizer' ? {} : { preset }),
    ...(studyFleet ? { fleet: 'same-process' as const } : {}),
    inputNames: [...plants[0].split.train.names],
    outputNames: [...plants[0].split.train.targets],
    plants,
    featureNote,
  };
}

/** Name of the specific jacket duty column that replaces the CSTR's Qk in the model's inputs. */
export const specificDutyColumn = 'q_kJ_per_h_L';

/** The log with Qk [kJ/h] replaced by q = Qk / VR [kJ/(h·L)] (a calculated tag from the plant's design volume). */
function withSpecificDuty(dataset: PlantDataset, volumeL: number): PlantDataset {
  const qk = 'Qk_kJ_per_h';
  const spec = dataset.schema.inputs.find((c) => c.name === qk);
  if (spec === undefined) throw new RangeError(`demo: the CSTR log has no '${qk}' input (inputs: ${dataset.inputs.join(', ')})`);
  const perLitre = (v: number | undefined): number | undefined => (v === undefined ? undefined : v / volumeL);
  const schema = plantSchema(
    {
      ...dataset.schema,
      description: `${dataset.schema.description ?? ''}; ${specificDutyColumn} = ${qk} / ${volumeL} L (reactor volume)`,
      inputs: dataset.schema.inputs.map((c) => (c === spec ? { name: specificDutyColumn, unit: 'kJ/(h L)', min: perLitre(spec.min), max: perLitre(spec.max), description: `jacket duty per litre of reactor (${qk} / VR, VR = ${volumeL} L)` } : c)),
    },
    `${dataset.schema.description ?? 'CSTR'} with specific duty`,
  );
  const columns = { ...dataset.columns, [specificDutyColumn]: dataset.columns[qk].map((v) => v / volumeL) };
  return datasetFromColumns(schema, columns, { time: dataset.time, provenance: dataset.provenance });
}

function featureSpecFor(scenarioName: DemoScenario, dataset: PlantDataset): FeatureSpec {
  if (scenarioName === 'debutanizer') return debutanizerFeatures;
  if (scenarioName !== 'cstr') return { defaultLags: [0], lags: {}, differences: {} };
  const intervalS = dataset.schema.samplingInterval;
  const lags = cstrLagsMinutes.map((m) => {
    const samples = (m * 60) / intervalS;
    if (!Number.isInteger(samples)) throw new RangeError(`demo: a ${m}-min lag is not a whole number of ${intervalS}-s samples`);
    return samples;
  });
  return { defaultLags: lags, lags: {}, differences: {} };
}

/**
 * The Williams–Otto plants of the optimization study (`sameProcessFleet`, docs/optimization.md),
 * simulated with `seed`, written as CSV + schema and read back through the validating reader.
 */
async function williamsOttoStudyPlants(seed: number, dir: string, samples: number | undefined): Promise<{ id: string; dataset: PlantDataset; simulated: SimulatedPlant }[]> {
  await mkdir(dir, { recursive: true });
  const fleet = scenarioFromConfigs('williams-otto', sameProcessFleet(), seed);
  const out: { id: string; dataset: PlantDataset; simulated: SimulatedPlant }[] = [];
  for (const plant of fleet.plants) {
    const dataset = datasetFromSimulation(plant.generate(samples === undefined ? {} : { samples }));
    const entry = await writePlantFiles(dir, plant.plantId, dataset, {
      description: `${dataset.schema.description ?? 'Williams–Otto'}; optimization-study fleet (same process), seed ${seed}`,
      parameters: JSON.parse(JSON.stringify(plant.config)) as Record<string, unknown>,
    });
    const back = await readPlantCsv(join(dir, entry.data), dataset.schema);
    if (back.length !== dataset.length) throw new RangeError(`demo: ${entry.data} read back with ${back.length} rows, ${dataset.length} were written`);
    out.push({ id: plant.plantId, dataset: back, simulated: plant as SimulatedPlant });
  }
  return out;
}

/** The debutanizer data (Fortuna et al. 2007; 2394 rows, inputs u1–u7, output y) split by time into three plants. */
async function debutanizerPlants(file: string, dir: string): Promise<{ id: string; dataset: PlantDataset }[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RangeError(`demo: cannot read the debutanizer data ${file}: ${(e as Error).message} (pass --data-file <csv>)`);
  }
  const schema = plantSchema(
    {
      description: 'Debutanizer column (Fortuna et al., Soft Sensors for Monitoring and Control of Industrial Processes, 2007); normalised values',
      samplingInterval: 1,
      inputs: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'].map((name) => ({ name, unit: '1' })),
      outputs: [{ name: 'y', unit: '1' }],
    },
    'debutanizer schema',
  );
  const all = parsePlantCsv(text, schema, { file });
  await mkdir(dir, { recursive: true });
  const ids = ['plant-a', 'plant-b', 'plant-c'];
  const size = Math.floor(all.length / ids.length);
  const out: { id: string; dataset: PlantDataset }[] = [];
  for (const [i, id] of ids.entries()) {
    const part = sliceDataset(all, { start: i * size, end: i === ids.length - 1 ? all.length : (i + 1) * size });
    // Each plant's log starts at its own time 0, as a separate plant's historian would.
    const dataset = datasetFromColumns({ ...schema, description: `${schema.description}; ${id} = rows ${i * size}–${i * size + part.length - 1}` }, part.columns);
    await writePlantFiles(dir, id, dataset, { description: dataset.schema.description });
    out.push({ id, dataset });
  }
  return out;
}
