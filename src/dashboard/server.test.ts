import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrucibleStore } from '../store/store.js';
import { startDashboard } from './server.js';

test('the dashboard serves its page and the run’s rounds and metrics from the store, on 127.0.0.1 only', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-dashboard-'));
  const storePath = join(dir, 'crucible.db');
  const store = CrucibleStore.open(storePath);
  store.createRun({ id: 'line-7', config: { rounds: 4 } });
  for (const [round, mse] of [[1, 2.5], [2, 1.25]] as const) {
    store.commitRound('line-7', {
      round,
      globalParameters: new Float64Array([round, 0]),
      strategyState: null,
      participants: ['plant-a', 'plant-b'],
      metrics: [],
      summary: { fit: { trainLoss: mse / 2 }, evaluation: { mse, rmse: Math.sqrt(mse), r2: 0.5 } },
    });
  }
  store.close();
  const dashboard = await startDashboard({ storePath, port: 0 });
  try {
    assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await fetch(dashboard.url);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /status\.json/);
    assert.doesNotMatch(html, /<script src=|<link /);
    const status = (await (await fetch(`${dashboard.url}status.json`)).json()) as { run: { id: string; rounds: number }; roundsDone: number; rounds: { round: number; mse: number }[] };
    assert.deepEqual({ id: status.run.id, rounds: status.run.rounds }, { id: 'line-7', rounds: 4 });
    assert.equal(status.roundsDone, 2);
    assert.deepEqual(status.rounds.map((r) => [r.round, r.mse]), [[1, 2.5], [2, 1.25]]);
    assert.equal((await fetch(`${dashboard.url}nope`)).status, 404);
    assert.equal((await fetch(dashboard.url, { method: 'POST' })).status, 405);
  } finally {
    await dashboard.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
