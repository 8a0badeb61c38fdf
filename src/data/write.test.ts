import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CrucibleError } from '../errors.js';
import { Rng } from '../tensor/rng.js';
import { datasetFromColumns } from './dataset.js';
import { readManifest, readManifestPlants, writeManifest, writePlantFiles } from './manifest.js';
import { readPlantCsv } from './read-csv.js';
import { plantSchema, readPlantSchema } from './schema.js';
import { writeFileAtomic, writePlantCsv, writePlantSchema } from './write.js';

const schema = plantSchema({
  time: { column: 'time_s', unit: 's' },
  samplingInterval: 10,
  inputs: [
    { name: 'F B', unit: 'kg/s', min: 0, max: 10 },
    { name: 'T,R', unit: 'K', min: 300, max: 400 },
  ],
  outputs: [{ name: 'x"P"', unit: '1', min: 0, max: 1 }],
  missing: { policy: 'forward-fill', maxSamples: 3 },
  features: { defaultLags: [0, 1], lags: {}, differences: {} },
});

function randomDataset(seed: number, rows = 200) {
  const rng = new Rng(seed);
  const cols = {
    'F B': Array.from({ length: rows }, () => rng.uniform(0, 10)),
    'T,R': Array.from({ length: rows }, () => rng.uniform(300, 400)),
    'x"P"': Array.from({ length: rows }, () => rng.uniform() ** 7),
  };
  return datasetFromColumns(schema, cols, { time: Array.from({ length: rows }, (_, i) => 1e9 + i * 10 + rng.uniform(-1, 1)) });
}

describe('writing plant data', () => {
  it('writes CSV and schema that read back bit for bit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-write-'));
    const ds = randomDataset(1);
    await writePlantCsv(join(dir, 'a.csv'), ds);
    await writePlantSchema(join(dir, 'a.schema.yaml'), ds.schema);
    await writePlantSchema(join(dir, 'a.schema.json'), ds.schema);
    const yamlSchema = await readPlantSchema(join(dir, 'a.schema.yaml'));
    assert.deepEqual(yamlSchema, schema);
    assert.deepEqual(await readPlantSchema(join(dir, 'a.schema.json')), schema);
    const back = await readPlantCsv(join(dir, 'a.csv'), yamlSchema);
    assert.deepEqual(back.time, ds.time);
    assert.deepEqual(back.columns, ds.columns);
    const header = (await readFile(join(dir, 'a.csv'), 'utf8')).split('\n')[0];
    assert.equal(header, 'time_s,F B,"T,R","x""P"""');
  });

  it('writes with the schema delimiter', async () => {
    const semi = plantSchema({ ...schema, delimiter: ';' });
    const ds = datasetFromColumns(semi, { 'F B': [1], 'T,R': [300], 'x"P"': [0.5] }, { time: [0] });
    const dir = await mkdtemp(join(tmpdir(), 'crucible-write-'));
    await writePlantCsv(join(dir, 'a.csv'), ds);
    assert.equal(await readFile(join(dir, 'a.csv'), 'utf8'), 'time_s;F B;T,R;"x""P"""\n0;1;300;0.5\n');
    assert.deepEqual((await readPlantCsv(join(dir, 'a.csv'), semi)).columns, ds.columns);
  });

  it('writes iso8601 time as timestamps that read back to the millisecond', async () => {
    const isoSchema = plantSchema({ ...schema, time: { column: 'ts', format: 'iso8601' } });
    const ds = datasetFromColumns(isoSchema, { 'F B': [1, 2], 'T,R': [300, 301], 'x"P"': [0, 1] }, { time: [1.7e9, 1.7e9 + 10.5] });
    const dir = await mkdtemp(join(tmpdir(), 'crucible-write-'));
    await writePlantCsv(join(dir, 'a.csv'), ds);
    assert.match(await readFile(join(dir, 'a.csv'), 'utf8'), /2023-11-14T22:13:20\.000Z/);
    assert.deepEqual([...(await readPlantCsv(join(dir, 'a.csv'), isoSchema)).time], [1.7e9, 1.7e9 + 10.5]);
  });

  it('never leaves a half-written file: a failed write keeps the old content and no temporary file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-write-'));
    const path = join(dir, 'a.csv');
    await writeFile(path, 'old content\n');
    function* failing(): Generator<string> {
      yield 'new '.repeat(1 << 19); // past the 1 MiB flush threshold, so part of it reaches the disk
      throw new Error('simulator crashed');
    }
    await assert.rejects(writeFileAtomic(path, failing()), /simulator crashed/);
    assert.equal(await readFile(path, 'utf8'), 'old content\n');
    assert.deepEqual(await readdir(dir), ['a.csv']);
  });

  it('writes a manifest of plants and reads every plant back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-manifest-'));
    const plants = [randomDataset(1, 50), randomDataset(2, 70)];
    const entries = [];
    for (let p = 0; p < plants.length; p++) {
      entries.push(await writePlantFiles(dir, `plant-${p + 1}`, plants[p], { parameters: { activity: 1 + p / 10 } }));
    }
    await writeManifest(join(dir, 'manifest.json'), { version: 1, process: 'test-process', seed: 7, plants: entries });
    const manifest = await readManifest(join(dir, 'manifest.json'));
    assert.deepEqual(
      manifest.plants.map((p) => [p.id, p.data, p.schema, p.rows]),
      [
        ['plant-1', 'plant-1.csv', 'plant-1.schema.yaml', 50],
        ['plant-2', 'plant-2.csv', 'plant-2.schema.yaml', 70],
      ],
    );
    const back = await readManifestPlants(join(dir, 'manifest.json'));
    assert.deepEqual(back.map((b) => b.id), ['plant-1', 'plant-2']);
    back.forEach((b, p) => assert.deepEqual(b.dataset.columns, plants[p].columns));
    assert.equal((await readdir(dir)).filter((f) => f.endsWith('.tmp')).length, 0);
  });

  it('rejects a manifest with duplicate ids or paths outside its folder, naming the key path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-manifest-'));
    const plant = { id: 'a', data: 'a.csv', schema: 'a.schema.yaml', rows: 1 };
    await writeFile(
      join(dir, 'manifest.json'),
      JSON.stringify({ version: 1, process: 'p', plants: [plant, { ...plant, data: '../etc/passwd' }] }),
    );
    await assert.rejects(readManifest(join(dir, 'manifest.json')), (e: unknown) => {
      assert.ok(e instanceof CrucibleError && e.code === 'CONFIG_INVALID');
      assert.match(e.message, /manifest\.json/);
      assert.match(e.message, /plants\[1\]\.id: plant id 'a' is used twice/);
      assert.match(e.message, /plants\[1\]\.data: must be a path inside the manifest folder/);
      return true;
    });
  });
});
