/**
 * Writes a fleet of simulated plants to a folder, the way real plants' logs would arrive: one CSV
 * and one schema per plant, and a manifest naming them with the process, seed and each plant's
 * configuration. Every file is written atomically and then read back through the validating
 * reader, so what lands on disk is known to pass the same checks as real data.
 *
 * @example
 * const manifest = await writeSimulatedPlants({ process: 'cstr', plants: 3, seed: 7, out: 'plants/' });
 */
import { join } from 'node:path';
import type { ProcessName } from '../process/dataset.js';
import { type PresetName, scenario } from '../process/scenario.js';
import { type ManifestPlant, type PlantManifest, writeManifest, writePlantFiles } from './manifest.js';
import { readPlantCsv } from './read-csv.js';
import { datasetFromSimulation } from './simulated.js';

export interface SimulatePlantsOptions {
  /** The simulator: 'cstr' (van de Vusse), 'williams-otto' or 'eaf'. */
  process: string;
  /** Number of plants (the arXiv 2604.26073 preset always has three). Default 3. */
  plants?: number;
  /** Seed of the plant configurations and their data. Default 0. */
  seed?: number;
  /** Output folder (created if needed). */
  out: string;
  /** A named plant set instead of randomly drawn plants. */
  preset?: string;
  /** Samples per plant; default each plant's own count (plants differ in how much data they have). */
  samples?: number;
  /** Called after each plant is written and checked. */
  onPlant?: (entry: ManifestPlant, index: number, total: number) => void;
}

/** Simulates, writes and checks every plant, then writes `manifest.json`; returns the manifest. */
export async function writeSimulatedPlants(options: SimulatePlantsOptions): Promise<PlantManifest> {
  const seed = options.seed ?? 0;
  if (options.samples !== undefined && (!Number.isInteger(options.samples) || options.samples < 1)) {
    throw new RangeError(`simulate: samples must be a positive integer, got ${options.samples}`);
  }
  const fleet = scenario(options.process as ProcessName, {
    plants: options.plants ?? 3,
    seed,
    preset: options.preset as PresetName | undefined,
  });
  const entries: ManifestPlant[] = [];
  for (const [index, plant] of fleet.plants.entries()) {
    const sim = plant.generate(options.samples === undefined ? {} : { samples: options.samples });
    const dataset = datasetFromSimulation(sim);
    const entry = await writePlantFiles(options.out, plant.plantId, dataset, {
      description: dataset.schema.description,
      parameters: JSON.parse(JSON.stringify(plant.config)) as Record<string, unknown>,
    });
    const back = await readPlantCsv(join(options.out, entry.data), dataset.schema);
    if (back.length !== dataset.length) {
      throw new RangeError(`simulate: ${entry.data} read back with ${back.length} rows, ${dataset.length} were written`);
    }
    entries.push(entry);
    options.onPlant?.(entry, index, fleet.plants.length);
  }
  const manifest: PlantManifest = {
    version: 1,
    process: fleet.process,
    seed,
    createdAt: new Date().toISOString(),
    description: `${fleet.plants.length} simulated ${fleet.process} plants${fleet.preset ? ` (preset ${fleet.preset})` : ''}, seed ${seed}`,
    scenario: {
      process: fleet.process,
      plants: fleet.plants.length,
      seed,
      ...(fleet.preset ? { preset: fleet.preset } : {}),
      ...(options.samples !== undefined ? { samples: options.samples } : {}),
    },
    plants: entries,
  };
  await writeManifest(join(options.out, 'manifest.json'), manifest);
  return manifest;
}
