import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFederation } from '../federation/run.js';
import { fedAvg } from '../federation/strategies/fed-avg.js';
import { lastRound, linearFederation } from '../federation/test-support.js';
import { SqliteRoundStore } from '../store/roundStore.js';
import { CrucibleStore } from '../store/store.js';
import { renderReport } from './html.js';
import { runReport } from './run-report.js';

test('the run report of a regression federation shows its set-up, training, per-plant evaluation, plants and ledger', async () => {
  const store = CrucibleStore.open(':memory:');
  try {
    const config = { rounds: 4, model: { kind: 'neural', widths: [2, 1] }, strategy: { kind: 'fedavg' }, secureAggregation: { enabled: false } };
    const federation = linearFederation([
      { rows: 60, featureStd: [1, 2], weights: [1.5, -0.5], noiseStd: 0.05 },
      { rows: 80, featureStd: [2, 1], weights: [1.4, -0.6], noiseStd: 0.05 },
    ], { seed: 2 });
    store.createRun({ id: 'lin', config });
    const last = await lastRound(runFederation(federation.grid, fedAvg(), {
      runId: 'lin', rounds: 4, seed: 1, initialParameters: federation.initial, minPlants: 2,
      training: { epochs: 1, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' },
      timeouts: { waitForPlantsMs: 1000, fitMs: 5000, evaluateMs: 5000 }, store: new SqliteRoundStore(store, { runConfig: config }),
    }));
    store.appendPrivacyEntry('lin', { round: 2, mechanism: 'gaussian', noiseMultiplier: 1.1 });
    const report = runReport(store);
    assert.equal(report.title, "Federation run 'lin'");
    assert.deepEqual(report.sections.map((s) => s.heading), ['Set-up', 'Training', 'Evaluation (held-out data of every plant)', 'Plants', 'Privacy ledger']);
    const evaluation = report.sections[2].blocks.find((b) => b.kind === 'table');
    assert.ok(evaluation?.kind === 'table');
    assert.deepEqual(evaluation.rows.map((r) => r[0]), ['plant-0', 'plant-1', 'pooled']);
    assert.ok(Math.abs(Number(evaluation.rows[2][3]) - last.evaluation!.weighted.rmse) < 1e-12, 'pooled RMSE of the last round');
    const html = renderReport(report);
    assert.match(html, /Pooled held-out RMSE/);
    assert.match(html, /<td>gaussian<\/td><td class="num">1<\/td>/);
    assert.throws(() => runReport(store, { runId: 'nope' }), /no run 'nope' in the store \(runs: lin\)/);
  } finally {
    store.close();
  }
});
