import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DemoEvent, type DemoResult, runDemo } from './run-demo.js';

test('the fast demo trains over gRPC with separate processes and writes a report with the per-plant table', async () => {
  const out = mkdtempSync(join(tmpdir(), 'crucible-demo-'));
  try {
    const demo = runDemo({ fast: true, outDir: out, runName: 'fast', seed: 3 });
    const events: DemoEvent[] = [];
    let step = await demo.next();
    while (!step.done) {
      events.push(step.value);
      step = await demo.next();
    }
    const result: DemoResult = step.value;

    // The federation really ran as processes over the network: a port, three rounds, clean exits.
    const listening = events.find((e) => e.type === 'listening');
    assert.ok(listening !== undefined && listening.port > 0);
    // Secure aggregation is on for real: the coordinator said so at start and for every round.
    assert.equal(listening.secureAggregation, true);
    assert.equal(result.network.secureAggregation, true);
    const federationYaml = readFileSync(join(result.dir, 'federation', 'federation.yaml'), 'utf8');
    assert.match(federationYaml, /secureAggregation:\n\s+enabled: true/);
    assert.deepEqual(events.filter((e) => e.type === 'round').map((e) => (e as { round: number }).round), [1, 2, 3]);
    assert.deepEqual(result.network.exitCodes.coordinator, 0);
    for (const e of result.network.rounds) assert.deepEqual(e.participants, ['plant-a', 'plant-b', 'plant-c']);
    assert.ok(existsSync(join(result.dir, 'federation', 'crucible.db')));
    assert.ok(existsSync(join(result.dir, 'plants', 'plant-a.csv')) && existsSync(join(result.dir, 'plants', 'plant-a.schema.yaml')));

    // Every plant is scored by every method, with finite numbers.
    for (const plant of ['plant-a', 'plant-b', 'plant-c']) {
      for (const method of ['local', 'federated', 'federated+finetune', 'centralized', 'federated+dp']) {
        const row = result.metrics.find((m) => m.plantId === plant && m.method === method);
        assert.ok(row !== undefined, `${plant} ${method}`);
        assert.ok(Number.isFinite(row.mse) && row.mse > 0 && Math.abs(row.rmse - Math.sqrt(row.mse)) < 1e-9 * (1 + row.rmse));
      }
    }
    assert.ok(result.dp !== undefined && result.dp.epsilon > 0 && Number.isFinite(result.dp.epsilon));
    // Every long step reports its progress to the end: the comparison models, the DP rounds, the optimizations.
    for (const what of ['models', 'DP rounds', 'optimizations']) {
      assert.ok(events.some((e) => e.type === 'progress' && e.what === what && e.done === e.total && e.total > 0), what);
    }
    // Optimization is scored on the true simulator: a recommendation that meets every limit never beats the true optimum.
    assert.equal(result.optimization.rows.length, 12);
    for (const r of result.optimization.rows) {
      if (r.status === 'recommended' && r.trueFeasible) assert.ok(r.regret >= -1e-6 * Math.abs(r.optimalProfit), `${r.plantId} ${r.model}: regret ${r.regret}`);
      if (r.status === 'recommended') assert.deepEqual(r.limits.map((l) => l.name), ['T ≤ 113 °C', 'cB ≥ 1 mol/L']);
    }
    assert.ok(result.optimization.rows.some((r) => r.status === 'recommended'));

    const html = readFileSync(result.reportPath, 'utf8');
    assert.equal(result.reportPath, join(out, 'fast', 'report.html'));
    assert.match(html, /<caption>Per-plant table<\/caption>/);
    for (const plant of ['plant-a', 'plant-b', 'plant-c']) assert.match(html, new RegExp(`<td>${plant}</td><td>federated</td>`));
    assert.match(html, /<svg/);
    assert.match(html, /ε spent/);
    assert.match(html, /SecAgg\+ over gRPC/);
    assert.match(html, /<caption>Optimization result<\/caption>/);
    // The federation ran the real commands; the folder says which.
    assert.match(readFileSync(join(result.dir, 'federation', 'commands.txt'), 'utf8'), /crucible coordinator --config federation.yaml[\s\S]*crucible plant --config plant-c.yaml/);
    assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org)/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
