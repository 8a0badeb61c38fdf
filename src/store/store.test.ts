import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrucibleStore, type RoundRecord } from './store.js';

function record(round: number, overrides: Partial<RoundRecord> = {}): RoundRecord {
  const globalParameters = Float64Array.from({ length: 5 }, (_, i) => Math.sin(round * 10 + i) * 1e-3);
  return {
    round,
    globalParameters,
    strategyState: { step: round, moments: { m: globalParameters.map((v) => v * 2), v: Float64Array.of(-0, 5e-324, 1e308) } },
    participants: ['plant-a', 'plant-b'],
    metrics: [
      { plantId: 'plant-a', stage: 'fit', values: { trainLoss: 0.5 / round } },
      { plantId: 'plant-b', stage: 'evaluate', values: { mse: 0.25, rmse: 0.5 } },
    ],
    summary: { durationMs: 12 },
    ...overrides,
  };
}

test('a committed round comes back bit-exact with its strategy state after reopening the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-store-'));
  try {
    const path = join(dir, 'c.db');
    let store = CrucibleStore.open(path);
    store.createRun({ id: 'run-1', config: { rounds: 3 } });
    store.commitRound('run-1', record(1));
    store.commitRound('run-1', record(2));
    store.close();
    store = CrucibleStore.open(path);
    const c = store.lastCheckpoint('run-1');
    assert.ok(c !== undefined);
    assert.equal(c.round, 2);
    const expected = record(2);
    assert.deepEqual(Buffer.from(c.globalParameters.buffer), Buffer.from(expected.globalParameters.buffer));
    const state = c.strategyState as { step: number; moments: { m: Float64Array; v: Float64Array } };
    assert.equal(state.step, 2);
    assert.ok(state.moments.m instanceof Float64Array);
    assert.ok(Object.is(state.moments.v[0], -0));
    assert.equal(state.moments.v[1], 5e-324);
    assert.deepEqual(store.rounds('run-1').map((r) => r.round), [1, 2]);
    assert.deepEqual(store.metrics('run-1', 2).map((m) => [m.plantId, m.stage, m.values]), [
      ['plant-a', 'fit', { trainLoss: 0.25 }],
      ['plant-b', 'evaluate', { mse: 0.25, rmse: 0.5 }],
    ]);
    assert.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a round whose commit fails leaves nothing of it behind', () => {
  const store = CrucibleStore.open(':memory:');
  store.createRun({ id: 'r', config: null });
  store.commitRound('r', record(1));
  // Committing round 1 again fails on the rounds primary key after nothing else was written.
  assert.throws(() => store.commitRound('r', record(1, { metrics: [{ plantId: 'plant-z', stage: 'fit', values: { x: 1 } }] })));
  // A failure at the last statement (the checkpoint insert) rolls back the round row and metrics before it.
  store.db.prepare("INSERT INTO checkpoints (run_id, round, parameters, state_json, state_vectors) VALUES ('r', 7, x'', 'null', x'')").run();
  assert.throws(() => store.commitRound('r', record(7, { metrics: [{ plantId: 'plant-late', stage: 'fit', values: { x: 1 } }] })));
  assert.deepEqual(store.metrics('r').map((m) => m.plantId).sort(), ['plant-a', 'plant-b']);
  assert.deepEqual(store.rounds('r').map((r) => r.round), [1]);
  store.close();
});

test('old checkpoints are pruned to keepCheckpoints while every round summary stays', () => {
  const store = CrucibleStore.open(':memory:', { keepCheckpoints: 2 });
  store.createRun({ id: 'r', config: null });
  for (let round = 1; round <= 5; round++) store.commitRound('r', record(round));
  const kept = store.db.prepare('SELECT round FROM checkpoints ORDER BY round').all() as { round: number }[];
  assert.deepEqual(kept.map((k) => k.round), [4, 5]);
  assert.equal(store.rounds('r').length, 5);
  store.close();
});

test('the plant registry keeps hashes, revokes, and re-enrolment lifts the revocation', () => {
  const store = CrucibleStore.open(':memory:');
  const hash = 'a'.repeat(64);
  store.plants.enroll('plant-a', { tokenHash: hash });
  assert.equal(store.plants.get('plant-a')?.tokenHash, hash);
  assert.equal(store.plants.revoke('plant-a'), true);
  assert.ok(store.plants.get('plant-a')?.revokedAt !== null);
  assert.equal(store.plants.revoke('plant-x'), false);
  store.plants.enroll('plant-a', { tokenHash: 'b'.repeat(64) });
  assert.equal(store.plants.get('plant-a')?.revokedAt, null);
  assert.throws(() => store.plants.enroll('../etc', { tokenHash: hash }), /must match/);
  assert.throws(() => store.plants.enroll('plant-b', { tokenHash: 'secret' }), /hex SHA-256/);
  store.close();
});

test('the privacy ledger returns a run’s entries in append order', () => {
  const store = CrucibleStore.open(':memory:');
  store.appendPrivacyEntry('r', { round: 1, mechanism: 'gaussian', epsilon: 0.5 });
  store.appendPrivacyEntry('other', { round: 1, epsilon: 9 });
  store.appendPrivacyEntry('r', { round: 2, mechanism: 'gaussian', epsilon: 0.7 });
  const rows = store.privacyLedger('r');
  assert.deepEqual(rows.map((r) => [r.round, r.entry.epsilon]), [[1, 0.5], [2, 0.7]]);
  assert.ok(rows[0].seq < rows[1].seq);
  assert.throws(() => store.appendPrivacyEntry('r', { round: -1 }), /round/);
  store.close();
});
