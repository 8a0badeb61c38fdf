/**
 * The bridge from a simulator's output (`process/`'s generated plant data, with units, bounds and
 * inputs/outputs but no schema) to a `PlantDataset` with a schema, so simulated plants are written,
 * read and validated exactly like real ones.
 *
 * @example
 * const sim = scenario('cstr', { seed: 7 }).plants[0].generate();
 * const ds = datasetFromSimulation(sim);
 * await writePlantFiles('out', sim.plantId, ds);
 */
import type { PlantDataset as SimulatedData } from '../process/dataset.js';
import { type PlantDataset, datasetFromColumns } from './dataset.js';
import { type PlantSchema, plantSchema } from './schema.js';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The schema of a simulator's data: its time column (seconds), inputs and outputs with units and
 * physical bounds. Data without a fixed sampling interval (e.g. EAF heats) gets the median step
 * between samples; data without time gets interval 1 (one per sample).
 */
export function schemaFromSimulation(sim: SimulatedData): PlantSchema {
  const known = new Set([...(sim.timeColumn ? [sim.timeColumn] : []), ...sim.inputs, ...sim.outputs]);
  const stray = sim.columns.filter((c) => !known.has(c));
  if (stray.length > 0) {
    throw new RangeError(`schemaFromSimulation(${sim.plantId}): columns ${stray.join(', ')} are neither time, input nor output`);
  }
  let interval = sim.samplingIntervalS;
  if (interval === undefined) {
    const t = sim.timeColumn ? sim.values[sim.timeColumn] : undefined;
    const steps: number[] = [];
    if (t) for (let i = 1; i < t.length; i++) steps.push(t[i] - t[i - 1]);
    interval = steps.length > 0 ? median(steps) : 1;
  }
  const column = (name: string) => {
    const bounds = sim.bounds[name];
    return { name, unit: sim.units[name] ?? '1', ...(bounds ? { min: bounds[0], max: bounds[1] } : {}) };
  };
  return plantSchema(
    {
      description: `Simulated ${sim.process} plant ${sim.plantId}`,
      ...(sim.timeColumn ? { time: { column: sim.timeColumn, unit: 's' } } : {}),
      samplingInterval: interval,
      inputs: sim.inputs.map(column),
      outputs: sim.outputs.map(column),
    },
    `simulated ${sim.process} plant ${sim.plantId}`,
  );
}

/** The simulator's data as a `PlantDataset` (the noise-free truth is left out: it is not plant data). */
export function datasetFromSimulation(sim: SimulatedData): PlantDataset {
  const schema = schemaFromSimulation(sim);
  const columns: Record<string, Float64Array> = {};
  for (const c of [...sim.inputs, ...sim.outputs]) columns[c] = sim.values[c];
  return datasetFromColumns(schema, columns, sim.timeColumn ? { time: sim.values[sim.timeColumn] } : {});
}
