import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoResult, runDemo } from './run-demo.js';

test('the fast EAF demo optimizes every shop\'s charge with the federated and local-only charge models and scores it on the true simulator', async () => {
  const out = mkdtempSync(join(tmpdir(), 'crucible-demo-eaf-'));
  try {
    const demo = runDemo({ scenario: 'eaf', fast: true, dp: false, outDir: out, runName: 'eaf', seed: 3 });
    let step = await demo.next();
    while (!step.done) step = await demo.next();
    const result: DemoResult = step.value;

    assert.equal(result.network.secureAggregation, true);
    const charge = result.charge;
    assert.ok(charge !== undefined);
    assert.deepEqual(charge.rows.map((r) => `${r.plantId} ${r.method}`), ['plant-a federated', 'plant-a local', 'plant-b federated', 'plant-b local', 'plant-c federated', 'plant-c local']);
    for (const r of charge.rows) {
      if (r.status === 'infeasible') {
        assert.ok(r.infeasibleConstraint !== undefined && r.infeasibleConstraint.length > 0);
        continue;
      }
      // Scored on the truth: the tapped steel is simulated, and the exact optimum is the LP's for that steel.
      assert.ok(r.trueSteelT > 0 && r.exactCostUsd > 0 && Number.isFinite(r.costGapPercent));
      assert.ok(Math.abs(r.costGapPercent - (100 * (r.trueCostUsd - r.exactCostUsd)) / r.exactCostUsd) < 1e-9);
      // A charge that meets the spec on the truth cannot cost less than the exact optimum.
      if (r.violations.length === 0) assert.ok(r.costGapPercent > -1e-6, `${r.plantId} ${r.method}: ${r.costGapPercent}`);
    }
    const html = readFileSync(result.reportPath, 'utf8');
    assert.match(html, /<caption>Per-plant table<\/caption>/);
    assert.match(html, /<caption>Charge optimization result<\/caption>/);
    assert.match(html, /cost gap %/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
