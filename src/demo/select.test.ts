import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preparePlants } from './plants.js';
import { selectDemoSettings } from './select.js';

test('settings are chosen on validation blocks cut from the training blocks, as the candidates with the lowest validation MSE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-select-'));
  try {
    const prepared = await preparePlants({ scenario: 'cstr', seed: 5, dir, samples: 300 });
    for (const p of prepared.plants) {
      // The validation block lies inside the training block: never a test row.
      assert.ok(p.validation.train.x.rows + p.validation.test.x.rows < p.data.train.x.rows, p.plantId);
      assert.deepEqual([...p.validation.train.x.data.subarray(0, 24)], [...p.data.train.x.data.subarray(0, 24)]);
    }
    const ticks: number[] = [];
    const report = await selectDemoSettings(prepared, {
      seed: 5, hidden: [[6], [10]], epochs: [1, 4], rounds: [2, 5], fineTuneEpochs: [1, 2], localSteps: 2,
      onProgress: (done) => ticks.push(done),
    });
    assert.equal(report.rows.length, 2 * (2 * 2 + 2) + 2);
    assert.deepEqual(ticks, [1, 2, 3, 4, 5, 6, 7, 8]);
    const best = (method: string, hidden?: number[]) =>
      report.rows.filter((r) => r.method === method && (hidden === undefined || r.hidden.join() === hidden.join())).reduce((a, b) => (b.mean < a.mean ? b : a));
    const fed = best('federated');
    assert.deepEqual(report.chosen.hidden, fed.hidden);
    assert.equal(report.chosen.federatedRounds, fed.setting);
    assert.equal(report.chosen.localEpochs, best('local', fed.hidden).setting);
    assert.equal(report.chosen.centralizedEpochs, best('centralized', fed.hidden).setting);
    assert.equal(report.chosen.fineTuneEpochs, best('federated+finetune').setting);
    for (const r of report.rows) assert.ok(Number.isFinite(r.mean) && r.mean > 0, `${r.method} ${r.setting}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
