import { test } from 'node:test';
import assert from 'node:assert/strict';
import { optimizationStudy } from './optimization-study.js';
import { describeStudy } from '../cli/optimize.js';

test('setpoints from the federated model beat a local model that must extrapolate, scored on the true plants', async () => {
  const rows = await optimizationStudy({ seed: 1 });
  console.log(describeStudy(rows));
  const row = (plantId: string, method: string) => rows.find((r) => r.plantId === plantId && r.method === method)!;
  // plant-b never ran at high F_B: its own model sends it to the bound and loses money.
  const localB = row('plant-b', 'local');
  const fedB = row('plant-b', 'federated+calibrated');
  assert.ok(!(localB.regretPercent < fedB.regretPercent), `plant-b: local ${localB.regretPercent} % vs federated ${fedB.regretPercent} %`);
  assert.ok(localB.status === 'infeasible' || localB.regretPercent > 10, `plant-b local regret ${localB.regretPercent} %`);
  for (const plantId of ['plant-a', 'plant-b', 'plant-c']) {
    const r = row(plantId, 'federated+calibrated');
    assert.equal(r.status, 'recommended');
    assert.ok(r.regretPercent < 4, `${plantId}: federated+calibrated regret ${r.regretPercent.toFixed(2)} %`);
    assert.ok(r.violation < 0.005, `${plantId}: violation ${r.violation}`);
  }
});
