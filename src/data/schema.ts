/**
 * The schema of a plant's data file: which column is time, which are process inputs and outputs,
 * their units and physical bounds, the sampling interval, what to do with missing values, and
 * (optionally) the lag/differencing features a model should see. Parsed once, at the edge, by Zod;
 * the TypeScript types come from these schemas.
 *
 * @example
 * const schema = parsePlantSchema(`
 * time: { column: t, unit: s }
 * samplingInterval: 60
 * inputs:  [{ name: F_B, unit: kg/s, min: 0, max: 10 }]
 * outputs: [{ name: x_P, unit: "1", min: 0, max: 1 }]
 * missing: { policy: forward-fill, maxSamples: 3 }
 * `, 'plant-a.schema.yaml');
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import YAML from 'yaml';
import { CrucibleError } from '../errors.js';

const columnName = z.string().min(1).refine((s) => !/[\r\n]/.test(s), 'column names cannot contain line breaks');

/** One measured column: its name in the file, its unit, and the physical range a valid value lies in. */
export const columnSpecSchema = z
  .strictObject({
    name: columnName,
    /** Unit as written on the plant's tag list, e.g. "K", "kg/s", "1" for dimensionless. */
    unit: z.string().min(1),
    /** Smallest physically possible value (inclusive); values below it are invalid. */
    min: z.number().optional(),
    /** Largest physically possible value (inclusive). */
    max: z.number().optional(),
    description: z.string().optional(),
  })
  .refine((c) => c.min === undefined || c.max === undefined || c.min <= c.max, {
    message: 'min must not exceed max',
    path: ['max'],
  });

/**
 * The time column. `format: number` reads plain numbers in `unit`; `format: iso8601` reads
 * timestamps like 2024-03-01T12:00:00Z (a timestamp without a zone is taken as UTC) and stores
 * seconds since the Unix epoch, so `unit` must then be "s".
 */
export const timeSpecSchema = z
  .strictObject({
    column: columnName,
    unit: z.string().min(1).default('s'),
    format: z.enum(['number', 'iso8601']).default('number'),
  })
  .refine((t) => t.format === 'number' || t.unit === 's', {
    message: 'iso8601 timestamps are stored in seconds: unit must be "s"',
    path: ['unit'],
  });

/**
 * What to do with a missing cell (empty, or one of `missingTokens`): `reject` fails the read;
 * `drop-rows` removes the row (and says how many in the dataset's provenance); `forward-fill`
 * repeats the column's last valid value for at most `maxSamples` consecutive samples and fails
 * beyond that (or when the first row is missing, as there is nothing to repeat).
 */
export const missingPolicySchema = z.discriminatedUnion('policy', [
  z.strictObject({ policy: z.literal('reject') }),
  z.strictObject({ policy: z.literal('drop-rows') }),
  z.strictObject({ policy: z.literal('forward-fill'), maxSamples: z.number().int().positive() }),
]);

const lagList = z.array(z.number().int().nonnegative()).min(1);

/**
 * Time-series features a model sees (all counts in samples). `lags.u1 = [0, 1, 2]` gives u1(t),
 * u1(t-1), u1(t-2); `differences.u1 = [0]` gives u1(t) - u1(t-1). An input not named in `lags`
 * gets `defaultLags` (default [0], a static model). Outputs are targets at lag 0, so an output may
 * appear as a feature only at lags ≥ 1 (its past, as an analyser would report it).
 */
export const featureSpecSchema = z.strictObject({
  defaultLags: lagList.default([0]),
  lags: z.record(z.string(), lagList).default({}),
  differences: z.record(z.string(), lagList).default({}),
});

export const plantSchemaSchema = z
  .strictObject({
    version: z.literal(1).default(1),
    /** Free text, e.g. the plant or process the file comes from. */
    description: z.string().optional(),
    /** Absent when the file has no time column: rows are then samples at 0, Δt, 2Δt, … */
    time: timeSpecSchema.optional(),
    /** Nominal time between samples, in the time column's unit (> 0). */
    samplingInterval: z.number().positive(),
    inputs: z.array(columnSpecSchema).min(1),
    outputs: z.array(columnSpecSchema).min(1),
    missing: missingPolicySchema.default({ policy: 'reject' }),
    /** Cell texts that mean "no value" (compared after trimming spaces). The empty cell always does. */
    missingTokens: z.array(z.string()).default(['NaN', 'nan', 'NA', 'null']),
    /** `reject` fails on a value outside [min, max]; `missing` treats it as missing (then the missing policy applies). */
    outOfBounds: z.enum(['reject', 'missing']).default('reject'),
    /** CSV field separator (e.g. ';' for logs exported with a decimal-comma locale). Default ','. */
    delimiter: z
      .string()
      .length(1)
      .refine((d) => !/["\r\n]/.test(d), 'a delimiter cannot be a quote or line break')
      .default(','),
    /** Columns present in the file that are deliberately not read. Any other extra column is an error. */
    ignoreColumns: z.array(columnName).default([]),
    features: featureSpecSchema.optional(),
  })
  .superRefine((s, ctx) => {
    const seen = new Map<string, string>();
    const note = (name: string, where: (string | number)[]): void => {
      const first = seen.get(name);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', message: `column '${name}' is declared twice (first at ${first})`, path: where });
      } else seen.set(name, where.join('.'));
    };
    if (s.time) note(s.time.column, ['time', 'column']);
    s.inputs.forEach((c, i) => note(c.name, ['inputs', i, 'name']));
    s.outputs.forEach((c, i) => note(c.name, ['outputs', i, 'name']));
    s.ignoreColumns.forEach((c, i) => note(c, ['ignoreColumns', i]));
    if (!s.features) return;
    const outputs = new Set(s.outputs.map((c) => c.name));
    const inputs = new Set(s.inputs.map((c) => c.name));
    for (const kind of ['lags', 'differences'] as const) {
      for (const [name, lags] of Object.entries(s.features[kind])) {
        if (!inputs.has(name) && !outputs.has(name)) {
          ctx.addIssue({ code: 'custom', message: `'${name}' is not an input or output column`, path: ['features', kind, name] });
        } else if (kind === 'lags' && outputs.has(name) && lags.includes(0)) {
          ctx.addIssue({
            code: 'custom',
            message: `output '${name}' at lag 0 is the target itself: use lags ≥ 1`,
            path: ['features', kind, name],
          });
        }
      }
    }
  });

export type ColumnSpec = z.infer<typeof columnSpecSchema>;
export type TimeSpec = z.infer<typeof timeSpecSchema>;
export type MissingPolicy = z.infer<typeof missingPolicySchema>;
export type FeatureSpec = z.infer<typeof featureSpecSchema>;
/** A validated plant data schema (defaults filled in). */
export type PlantSchema = z.infer<typeof plantSchemaSchema>;
/** What a schema file may contain before defaults are applied. */
export type PlantSchemaInput = z.input<typeof plantSchemaSchema>;

/** Renders a Zod issue path as `inputs[2].max`. */
export function keyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out === '' ? '(root)' : out;
}

/**
 * Validates an already-parsed schema object (e.g. one built in code). Throws
 * `CrucibleError('CONFIG_INVALID')` naming `source` and every offending key path.
 *
 * @example
 * const schema = plantSchema({ samplingInterval: 1, inputs: [{ name: 'u', unit: '1' }], outputs: [{ name: 'y', unit: '1' }] });
 */
export function plantSchema(value: unknown, source = '(schema object)'): PlantSchema {
  const result = plantSchemaSchema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: keyPath(i.path), message: i.message }));
  const lines = issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
  throw new CrucibleError('CONFIG_INVALID', `Invalid plant data schema in ${source}:\n${lines}`, { file: source, issues });
}

/**
 * Parses schema text (YAML, of which JSON is a subset) and validates it.
 *
 * @example
 * const schema = parsePlantSchema(text, 'plants/a.schema.yaml');
 */
export function parsePlantSchema(text: string, source = '(schema text)'): PlantSchema {
  let value: unknown;
  try {
    value = YAML.parse(text, { prettyErrors: true });
  } catch (e) {
    throw new CrucibleError('CONFIG_INVALID', `Cannot parse plant data schema ${source}: ${(e as Error).message}`, {
      file: source,
    });
  }
  return plantSchema(value, source);
}

/** Reads and validates a schema file (.yaml, .yml or .json). */
export async function readPlantSchema(path: string): Promise<PlantSchema> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CrucibleError('CONFIG_INVALID', `Cannot read plant data schema ${path}: ${(e as Error).message}`, { file: path });
  }
  return parsePlantSchema(text, path);
}

/** The schema's data columns in file order of meaning: inputs then outputs. */
export function dataColumns(schema: PlantSchema): ColumnSpec[] {
  return [...schema.inputs, ...schema.outputs];
}
