import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parquetWriteBuffer, parquetWriteFile } from 'hyparquet-writer';
import { CrucibleError } from '../errors.js';
import type { DataIssue } from './builder.js';
import { parsePlantParquet, readPlantParquet } from './read-parquet.js';
import { type PlantSchemaInput, plantSchema } from './schema.js';

function schema(overrides: Partial<PlantSchemaInput> = {}) {
  return plantSchema({
    time: { column: 't' },
    samplingInterval: 1,
    inputs: [{ name: 'F', unit: 'kg/s', min: 0, max: 10 }],
    outputs: [{ name: 'x', unit: '1', min: 0, max: 1 }],
    ...overrides,
  });
}

async function invalid(p: Promise<unknown>): Promise<{ message: string; issues: DataIssue[] }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof CrucibleError && e.code === 'DATA_INVALID', `expected DATA_INVALID, got ${String(e)}`);
    return { message: e.message, issues: e.details.issues as DataIssue[] };
  }
  assert.fail('expected the data to be rejected');
}

describe('reading plant Parquet', () => {
  it('round-trips float64 columns written by hyparquet-writer, over several row groups', async () => {
    const n = 2500;
    const t = Array.from({ length: n }, (_, i) => i * 0.5);
    const F = t.map((v) => 5 + Math.sin(v) * 4.9);
    const x = t.map((v) => 0.5 + 0.4 * Math.cos(v / 3));
    const dir = await mkdtemp(join(tmpdir(), 'crucible-parquet-'));
    const path = join(dir, 'a.parquet');
    parquetWriteFile({
      filename: path,
      columnData: [
        { name: 't', data: t, type: 'DOUBLE' },
        { name: 'F', data: F, type: 'DOUBLE' },
        { name: 'x', data: x, type: 'DOUBLE' },
      ],
      rowGroupSize: 1000,
    });
    const ds = await readPlantParquet(path, schema({ samplingInterval: 0.5 }));
    assert.equal(ds.length, n);
    assert.deepEqual([...ds.time], t);
    assert.deepEqual([...ds.columns.F], F);
    assert.deepEqual([...ds.columns.x], x);
    assert.equal(ds.provenance.format, 'parquet');
    assert.equal(ds.provenance.source, path);
  });

  it('reads integer columns, and applies the missing-value policy to nulls', async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 't', data: [0, 1, 2, 3], type: 'INT32' },
        { name: 'F', data: [1, null, null, 4], type: 'DOUBLE' },
        { name: 'x', data: [0.1, 0.2, 0.3, 0.4], type: 'DOUBLE' },
      ],
    });
    const ds = await parsePlantParquet(buf, schema({ missing: { policy: 'forward-fill', maxSamples: 2 } }));
    assert.deepEqual([...ds.columns.F], [1, 1, 1, 4]);
    assert.deepEqual(ds.provenance.cellsFilled, { F: 2 });
    const { message } = await invalid(parsePlantParquet(buf, schema(), { file: 'p.parquet' }));
    assert.match(message, /p\.parquet/);
    assert.match(message, /row 2, column 'F': missing value \(null; policy is reject\)/);
  });

  it('names row and column of text, out-of-bounds values and backwards time', async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 't', data: [0, 1, -1], type: 'DOUBLE' },
        { name: 'F', data: ['1', 'one', '2'], type: 'STRING' },
        { name: 'x', data: [0.1, 7, 0.3], type: 'DOUBLE' },
      ],
    });
    const { message, issues } = await invalid(parsePlantParquet(buf, schema(), { file: 'p.parquet' }));
    assert.match(message, /row 2, column 'F': "one" is not a number/);
    assert.match(message, /row 2, column 'x': 7 1 is outside the physical bounds \[0, 1\] 1/);
    assert.match(message, /row 3, column 't': time -1 is not after the previous kept row's time 0 \(row 1\)/);
    assert.ok(issues.every((i) => i.file === 'p.parquet' && i.line === undefined));
  });

  it('rejects missing and extra columns, listing the header', async () => {
    const buf = parquetWriteBuffer({
      columnData: [
        { name: 't', data: [0], type: 'DOUBLE' },
        { name: 'x', data: [0.1], type: 'DOUBLE' },
        { name: 'z', data: [1], type: 'DOUBLE' },
      ],
    });
    const { message } = await invalid(parsePlantParquet(buf, schema(), { file: 'p.parquet' }));
    assert.match(message, /column 'F': column missing \(header has "t", "x", "z"\)/);
    assert.match(message, /column 'z': extra column not in the schema/);
  });

  it('rejects bytes that are not Parquet, naming the file', async () => {
    const bytes = new TextEncoder().encode('t,F,x\n0,1,0.1\n');
    const { message } = await invalid(parsePlantParquet(bytes.buffer, schema(), { file: 'fake.parquet' }));
    assert.match(message, /fake\.parquet: not a readable Parquet file/);
  });
});
