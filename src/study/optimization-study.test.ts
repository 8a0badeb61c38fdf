import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimizationStudy, summarizeStudy } from './optimization-study.js';

test('federated personalized setpoints are within 2 % of each plant’s true optimum and feasible on its true simulator', async () => {
  // One seed of the study, one method; all methods and five seeds (with local-only models): `crucible optimize study`.
  const rows = await optimizationStudy({ seed: 1, methods: ['federated-personalized'] });
  const row = (plantId: string, method: string) => rows.find((r) => r.plantId === plantId && r.method === method)!;
  for (const plantId of ['plant-a', 'plant-b', 'plant-c']) {
    const fed = row(plantId, 'federated-personalized');
    assert.equal(fed.status, 'recommended');
    assert.ok(fed.regretPercent <= 2, `${plantId}: regret ${fed.regretPercent.toFixed(2)} %`);
    assert.ok(fed.violation <= 1e-6, `${plantId}: x_A/x_G violated by ${fed.violation} on the true simulator`);
    assert.ok(fed.xG.sd > 0, 'the chance constraint had an uncertainty to back off by');
  }
  const summary = summarizeStudy(rows);
  assert.equal(summary.find((s) => s.plantId === 'plant-b' && s.method === 'federated-personalized')?.met, 1);
});
