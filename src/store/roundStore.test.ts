import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryGrid } from '../federation/in-memory-grid.js';
import { createPlant } from '../federation/plant.js';
import { runFederation, type FederationOptions } from '../federation/run.js';
import { scaffold } from '../federation/strategies/index.js';
import { linearPlants } from '../federation/synthetic.js';
import { Mlp } from '../nn/mlp.js';
import { SqliteRoundStore } from './roundStore.js';
import { CrucibleStore } from './store.js';

const widths = [2, 6, 1];
const data = linearPlants(
  [
    { rows: 80, featureStd: [3, 0.3], weights: [1, -1], noiseStd: 0.02 },
    { rows: 60, featureStd: [0.3, 3], weights: [-1, 1], bias: 0.5, noiseStd: 0.02 },
  ],
  { seed: 4 },
);

function plants(): InMemoryGrid {
  return new InMemoryGrid(data.map((d, i) => createPlant({ plantId: `plant-${i}`, data: d, model: () => new Mlp({ widths, seed: 9 }) })));
}

function options(rounds: number, store: SqliteRoundStore): FederationOptions {
  return {
    runId: 'sqlite-resume', rounds, seed: 5, initialParameters: new Mlp({ widths, seed: 9 }).parameters.get(),
    training: { epochs: 1, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' },
    minPlants: 2, featureScaling: true, store,
    timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 },
  };
}

async function drain(it: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of it);
}

test('a run resumed from the SQLite store carries SCAFFOLD control variates and ends bitwise-equal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-roundstore-'));
  try {
    const reference = CrucibleStore.open(join(dir, 'reference.db'));
    await drain(runFederation(plants(), scaffold(), options(5, new SqliteRoundStore(reference))));

    // The "crashed" coordinator completed 2 rounds; a new process opens the file and continues.
    const path = join(dir, 'resumed.db');
    const grid = plants();
    let store = CrucibleStore.open(path);
    await drain(runFederation(grid, scaffold(), options(2, new SqliteRoundStore(store))));
    store.close();
    store = CrucibleStore.open(path);
    const saved = new SqliteRoundStore(store).loadLatest('sqlite-resume');
    assert.equal(saved?.round, 2);
    assert.equal(saved?.strategy, scaffold().name);
    assert.ok(Object.values(saved?.strategyState.arrays ?? {}).some((v) => v.some((x) => x !== 0)), 'SCAFFOLD state was saved');
    assert.ok(saved?.scaling !== undefined, 'feature scaling was saved');
    await drain(runFederation(grid, scaffold(), options(5, new SqliteRoundStore(store))));

    const a = reference.lastCheckpoint('sqlite-resume');
    const b = store.lastCheckpoint('sqlite-resume');
    assert.equal(a?.round, 5);
    assert.equal(b?.round, 5);
    assert.ok(Buffer.from(a!.globalParameters.buffer).equals(Buffer.from(b!.globalParameters.buffer)));
    assert.deepEqual(store.rounds('sqlite-resume').map((r) => r.round), [1, 2, 3, 4, 5]);
    reference.close();
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
