import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { bundledDebutanizerCsv, debutanizerExperiment, rSquared } from './debutanizer.js';

const dataPath = bundledDebutanizerCsv();

describe('debutanizer real-data check', () => {
  it('computes R² as 1 − SS_res/SS_tot', () => {
    assert.equal(rSquared([1, 2, 3], [1, 2, 3]), 1);
    assert.equal(rSquared([2, 2, 2], [1, 2, 3]), 0);
    assert.equal(rSquared([3, 2, 1], [1, 2, 3]), -3);
  });

  it('lagged inputs beat a static model on held-out data, per plant and pooled', async () => {
    assert.ok(existsSync(dataPath), `debutanizer data not found at ${dataPath} (the package's data/ folder)`);
    const result = await debutanizerExperiment({ path: dataPath });
    const rows = [
      ...result.plants.map((p, i) => [`plant ${i + 1}`, p] as const),
      ['pooled', result.pooled] as const,
    ];
    console.log(`debutanizer, held-out R² (time split, gap = max lag ${result.maxLag}):`);
    for (const [name, r] of rows) {
      console.log(
        `  ${name.padEnd(8)} train ${String(r.trainRows).padStart(4)} test ${String(r.testRows).padStart(4)} | ` +
          `MLP static ${r.mlp.static.toFixed(3)} lagged ${r.mlp.lagged.toFixed(3)} | ` +
          `ridge static ${r.ridge.static.toFixed(3)} lagged ${r.ridge.lagged.toFixed(3)}`,
      );
    }
    for (const [name, r] of rows) {
      assert.ok(r.mlp.lagged > r.mlp.static, `${name}: MLP lagged R² ${r.mlp.lagged} ≤ static ${r.mlp.static}`);
      assert.ok(r.ridge.lagged > r.ridge.static, `${name}: ridge lagged R² ${r.ridge.lagged} ≤ static ${r.ridge.static}`);
    }
  });
});
