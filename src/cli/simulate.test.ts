import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readManifest, readManifestPlants } from '../data/manifest.js';
import { simulateCommand } from './simulate.js';

async function run(args: string[]): Promise<string> {
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    out.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    await simulateCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => undefined })
      .parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return out.join('');
}

describe('crucible simulate', () => {
  it('writes one CSV and schema per plant and a manifest that reads back as validated datasets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-simulate-'));
    const stdout = await run(['--process', 'cstr', '--plants', '3', '--seed', '7', '--samples', '60', '--out', dir]);
    assert.match(stdout, /plant-1: 60 rows → plant-1\.csv, plant-1\.schema\.yaml/);
    assert.match(stdout, /manifest: .*manifest\.json/);
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, [
      'manifest.json',
      'plant-1.csv',
      'plant-1.schema.yaml',
      'plant-2.csv',
      'plant-2.schema.yaml',
      'plant-3.csv',
      'plant-3.schema.yaml',
    ]);
    const manifest = await readManifest(join(dir, 'manifest.json'));
    assert.equal(manifest.process, 'cstr');
    assert.equal(manifest.seed, 7);
    const plants = await readManifestPlants(join(dir, 'manifest.json'));
    assert.equal(plants.length, 3);
    for (const p of plants) {
      assert.equal(p.dataset.length, 60);
      assert.ok(p.dataset.inputs.length > 0 && p.dataset.outputs.length > 0);
      assert.equal(p.dataset.schema.time?.unit, 's');
    }
    // Plants differ: their data is not the same.
    assert.notDeepEqual(plants[0].dataset.columns, plants[1].dataset.columns);
  });

  it('is reproducible from the seed', async () => {
    const a = await mkdtemp(join(tmpdir(), 'crucible-simulate-'));
    const b = await mkdtemp(join(tmpdir(), 'crucible-simulate-'));
    await run(['--process', 'williams-otto', '--plants', '2', '--seed', '3', '--samples', '40', '--out', a, '--quiet']);
    await run(['--process', 'williams-otto', '--plants', '2', '--seed', '3', '--samples', '40', '--out', b, '--quiet']);
    const [pa, pb] = [await readManifestPlants(join(a, 'manifest.json')), await readManifestPlants(join(b, 'manifest.json'))];
    pa.forEach((p, i) => assert.deepEqual(p.dataset.columns, pb[i].dataset.columns));
  });

  it('prints the manifest as JSON with --json', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'crucible-simulate-'));
    const stdout = await run(['--process', 'eaf', '--preset', 'arxiv-2604.26073', '--samples', '20', '--out', dir, '--json']);
    const manifest = JSON.parse(stdout);
    assert.equal(manifest.process, 'eaf');
    assert.equal(manifest.plants.length, 3);
    assert.equal(manifest.scenario.preset, 'arxiv-2604.26073');
  });

  it('names an unknown process and writes nothing', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'crucible-simulate-')), 'out');
    await assert.rejects(run(['--process', 'nope', '--out', dir, '--quiet']), /unknown process 'nope' \(known: .*cstr/);
    await assert.rejects(readdir(dir), /ENOENT/);
  });

  it('rejects a plant count that is not a positive integer', async () => {
    await assert.rejects(run(['--process', 'cstr', '--plants', '1.5', '--out', '/tmp/never']), /expected an integer ≥ 1, got '1\.5'/);
  });
});
