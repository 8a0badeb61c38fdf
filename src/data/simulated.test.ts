import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlantDataset as SimulatedData } from '../process/dataset.js';
import { scenario } from '../process/scenario.js';
import { parsePlantCsv } from './read-csv.js';
import { datasetFromSimulation, schemaFromSimulation } from './simulated.js';
import { plantCsvLines } from './write.js';

function simulated(overrides: Partial<SimulatedData> = {}): SimulatedData {
  return {
    plantId: 'p1',
    process: 'eaf',
    columns: ['time_s', 'u', 'y'],
    timeColumn: 'time_s',
    inputs: ['u'],
    outputs: ['y'],
    units: { time_s: 's', u: 't', y: 'wt%' },
    bounds: { u: [0, 10], y: [0, 1] },
    values: { time_s: Float64Array.from([0, 10, 25, 30, 40]), u: Float64Array.from([1, 2, 3, 4, 5]), y: Float64Array.from([0.1, 0.2, 0.3, 0.4, 0.5]) },
    truth: { y: Float64Array.from([0, 0, 0, 0, 0]) },
    rowCount: 5,
    ...overrides,
  };
}

describe('simulated plants as plant data', () => {
  it('carries units and physical bounds into the schema, and the median step as the interval when there is none', () => {
    const schema = schemaFromSimulation(simulated());
    assert.deepEqual(schema.time, { column: 'time_s', unit: 's', format: 'number' });
    assert.equal(schema.samplingInterval, 10);
    assert.deepEqual(schema.inputs, [{ name: 'u', unit: 't', min: 0, max: 10 }]);
    assert.deepEqual(schema.outputs, [{ name: 'y', unit: 'wt%', min: 0, max: 1 }]);
    const noTime = schemaFromSimulation(simulated({ timeColumn: undefined, columns: ['u', 'y'] }));
    assert.equal(noTime.time, undefined);
    assert.equal(noTime.samplingInterval, 1);
  });

  it('refuses a column that is neither time, input nor output', () => {
    assert.throws(() => schemaFromSimulation(simulated({ columns: ['time_s', 'u', 'y', 'heat_id'] })), /columns heat_id are neither time, input nor output/);
  });

  it('leaves the noise-free truth out of the plant data', () => {
    const ds = datasetFromSimulation(simulated());
    assert.deepEqual(Object.keys(ds.columns).sort(), ['u', 'y']);
    assert.deepEqual([...ds.time], [0, 10, 25, 30, 40]);
  });

  it('gives every built-in simulator data that passes its own schema when written and read back', () => {
    for (const process of ['cstr', 'williams-otto', 'eaf'] as const) {
      const sim = scenario(process, { plants: 1, seed: 5 }).plants[0].generate({ samples: 30 });
      const ds = datasetFromSimulation(sim);
      const back = parsePlantCsv([...plantCsvLines(ds)].join(''), ds.schema, { file: `${process}.csv` });
      assert.equal(back.length, 30, process);
      assert.deepEqual(back.columns, ds.columns, process);
    }
  });
});
