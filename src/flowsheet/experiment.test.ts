import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastCumeneExperiment, formatExperimentTable, runCumeneExperiment, solverRows, worstUnitR2Drop } from './experiment.js';

test('fast mode: fine-tuning through the unrolled solver makes every solver converge and the product streams right', async () => {
  const result = await runCumeneExperiment(fastCumeneExperiment);
  const rows = solverRows(result);
  assert.deepEqual(rows.map((r) => r.method), ['direct', 'wegstein', 'newton', 'broyden']);
  // Before: surrogates that are each accurate still leave some solver short of a fixed point.
  assert.ok(rows.some((r) => r.convergedBefore < 0.95), `before: ${rows.map((r) => `${r.method} ${r.convergedBefore}`).join(', ')}`);
  for (const r of rows) {
    assert.ok(r.convergedAfter >= 0.95, `${r.method} converged in ${r.convergedAfter} of cases after fine-tuning`);
    assert.ok(r.r2After.cumene > r.r2Before.cumene + 0.1, `${r.method}: cumene R² ${r.r2Before.cumene} → ${r.r2After.cumene}`);
  }
  const worst = worstUnitR2Drop(result);
  assert.ok(worst.drop < 0.02, `single-unit R² of ${worst.unit} dropped by ${worst.drop}`);
  const table = formatExperimentTable(result);
  assert.match(table, /newton/);
  assert.match(table, /largest single-unit R² drop/);
});
