import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoResult, runDemo } from './run-demo.js';
import { sameProcessFleet } from '../study/williams-otto-fleet.js';

test('the fast Williams–Otto demo federates the study fleet over gRPC and reports per-plant accuracy and regret on the true plants', async () => {
  const out = mkdtempSync(join(tmpdir(), 'crucible-demo-wo-'));
  try {
    const demo = runDemo({ scenario: 'williams-otto', fast: true, dp: false, outDir: out, runName: 'wo', seed: 3 });
    let step = await demo.next();
    while (!step.done) step = await demo.next();
    const result: DemoResult = step.value;

    // The plants are the optimization study's fleet, written as CSV + schema and federated securely over gRPC.
    assert.equal(result.prepared.fleet, 'same-process');
    const activities = sameProcessFleet().map((c) => c.parameters.preExponentialPerS[0]);
    for (const [i, p] of result.prepared.plants.entries()) {
      assert.equal((p.simulated?.config as { parameters: { preExponentialPerS: number[] } }).parameters.preExponentialPerS[0], activities[i]);
      assert.match(readFileSync(p.trainFile.data, 'utf8').split('\n')[0], /FB_kg_per_s/);
    }
    assert.equal(result.network.secureAggregation, true);
    assert.equal(result.network.exitCodes.coordinator, 0);
    assert.equal(result.surfaces?.secureAggregation, true);

    // Every plant is scored by the networks and by both response surfaces.
    for (const plant of ['plant-a', 'plant-b', 'plant-c']) {
      for (const method of ['local', 'federated', 'centralized', 'local RS', 'federated RS']) {
        const row = result.metrics.find((m) => m.plantId === plant && m.method === method);
        assert.ok(row !== undefined && Number.isFinite(row.mse) && row.mse > 0, `${plant} ${method}`);
      }
    }
    // Regret is scored on each plant's true simulator; the response surfaces hold the limits as chance constraints.
    const rs = result.optimization.rows.filter((r) => r.model === 'federated RS');
    assert.equal(rs.length, 3);
    for (const r of result.optimization.rows) {
      assert.ok(Number.isFinite(r.optimalProfit) && r.optimalProfit > 0);
      if (r.status === 'recommended') assert.deepEqual(r.limits.map((l) => l.name), ['xA ≤ 0.12', 'xG ≤ 0.08']);
      if (r.status === 'recommended' && r.trueFeasible) assert.ok(r.regret >= -1e-6 * r.optimalProfit, `${r.plantId} ${r.model}: regret ${r.regret}`);
    }
    assert.ok(rs.some((r) => r.status === 'recommended'));

    const html = readFileSync(result.reportPath, 'utf8');
    assert.match(html, /<caption>Per-plant table<\/caption>/);
    assert.match(html, /<caption>Optimization result<\/caption>/);
    for (const plant of ['plant-a', 'plant-b', 'plant-c']) {
      assert.match(html, new RegExp(`<td>${plant}</td><td>federated RS</td>`));
      assert.match(html, new RegExp(`<td>${plant}</td><td>local</td>`));
    }
    assert.match(html, /regret %/);
    assert.match(html, /federated RS better than local RS/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
