/**
 * A manifest lists the plants of a multi-plant data folder: for each plant its id, data file and
 * schema file (paths relative to the manifest), and its row count, with the process and seed that
 * made them. `crucible simulate` writes one; federation jobs read one to find each plant's data.
 *
 * @example
 * const entry = await writePlantFiles('out', 'plant-1', dataset);
 * await writeManifest('out/manifest.json', { version: 1, process: 'van-de-vusse', seed: 7, plants: [entry] });
 * const plants = await readManifestPlants('out/manifest.json');
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { z } from 'zod';
import { CrucibleError } from '../errors.js';
import type { PlantDataset } from './dataset.js';
import { readPlantCsv } from './read-csv.js';
import { readPlantParquet } from './read-parquet.js';
import { type PlantSchema, keyPath, readPlantSchema } from './schema.js';
import { writeFileAtomic, writePlantCsv, writePlantSchema } from './write.js';

const relativePath = z
  .string()
  .min(1)
  .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), 'must be a path inside the manifest folder');

export const manifestPlantSchema = z.strictObject({
  /** The plant's id, unique in the manifest (also its file stem). */
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - only'),
  /** Data file (.csv or .parquet), relative to the manifest. */
  data: relativePath,
  /** Schema file (.yaml, .yml or .json), relative to the manifest. */
  schema: relativePath,
  rows: z.number().int().nonnegative(),
  description: z.string().optional(),
  /** What makes this plant differ (a simulator's plant parameters), for reports. */
  parameters: z.record(z.string(), z.unknown()).optional(),
});

export const plantManifestSchema = z
  .strictObject({
    version: z.literal(1),
    /** The process the plants run (a simulator name, or free text for real plants). */
    process: z.string().min(1),
    seed: z.number().int().optional(),
    /** ISO 8601 time the folder was written. */
    createdAt: z.string().optional(),
    description: z.string().optional(),
    /** The scenario configuration that generated the plants, for reproduction. */
    scenario: z.record(z.string(), z.unknown()).optional(),
    plants: z.array(manifestPlantSchema).min(1),
  })
  .superRefine((m, ctx) => {
    const seen = new Set<string>();
    m.plants.forEach((p, i) => {
      if (seen.has(p.id)) ctx.addIssue({ code: 'custom', message: `plant id '${p.id}' is used twice`, path: ['plants', i, 'id'] });
      seen.add(p.id);
    });
  });

export type ManifestPlant = z.infer<typeof manifestPlantSchema>;
export type PlantManifest = z.infer<typeof plantManifestSchema>;

/** Validates a manifest object; errors name `source` and the key path. */
export function plantManifest(value: unknown, source = '(manifest object)'): PlantManifest {
  const r = plantManifestSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: keyPath(i.path), message: i.message }));
  throw new CrucibleError(
    'CONFIG_INVALID',
    `Invalid plant manifest ${source}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    { file: source, issues },
  );
}

/** Writes a manifest as JSON (atomically), after validating it. */
export async function writeManifest(path: string, manifest: PlantManifest): Promise<void> {
  const valid = plantManifest(manifest, path);
  await writeFileAtomic(path, [`${JSON.stringify(valid, null, 2)}\n`]);
}

/** Reads and validates a manifest file. */
export async function readManifest(path: string): Promise<PlantManifest> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new CrucibleError('CONFIG_INVALID', `Cannot read plant manifest ${path}: ${(e as Error).message}`, { file: path });
  }
  return plantManifest(value, path);
}

/**
 * Reads a data file by its extension (.csv or .parquet) against a schema.
 *
 * @example
 * const ds = await readPlantData('plants/a.parquet', schema);
 */
export async function readPlantData(path: string, schema: PlantSchema): Promise<PlantDataset> {
  const ext = extname(path).toLowerCase();
  if (ext === '.csv') return readPlantCsv(path, schema);
  if (ext === '.parquet') return readPlantParquet(path, schema);
  throw new CrucibleError('DATA_INVALID', `Cannot read plant data ${path}: unknown file type '${ext}' (expected .csv or .parquet)`, {
    file: path,
  });
}

/**
 * Writes `<dir>/<id>.csv` and `<dir>/<id>.schema.yaml` and returns the manifest entry for them.
 */
export async function writePlantFiles(
  dir: string,
  id: string,
  dataset: PlantDataset,
  options: { description?: string; parameters?: Record<string, unknown> } = {},
): Promise<ManifestPlant> {
  const entry = manifestPlantSchema.parse({
    id,
    data: `${id}.csv`,
    schema: `${id}.schema.yaml`,
    rows: dataset.length,
    ...options,
  });
  await writePlantCsv(join(dir, entry.data), dataset);
  await writePlantSchema(join(dir, entry.schema), dataset.schema);
  return entry;
}

/**
 * Reads every plant of a manifest: its validated schema and dataset.
 *
 * @example
 * for (const { id, dataset } of await readManifestPlants('out/manifest.json')) console.log(id, dataset.length);
 */
export async function readManifestPlants(path: string): Promise<{ id: string; entry: ManifestPlant; dataset: PlantDataset }[]> {
  const manifest = await readManifest(path);
  const dir = dirname(resolve(path));
  const out = [];
  for (const entry of manifest.plants) {
    const schema = await readPlantSchema(join(dir, entry.schema));
    const dataset = await readPlantData(join(dir, entry.data), schema);
    out.push({ id: entry.id, entry, dataset });
  }
  return out;
}
