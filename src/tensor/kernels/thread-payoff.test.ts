import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadPayoff, Trial } from './thread-payoff.js';

/** Runs one cycle: each probe call is recorded with the time `micros` gives its way; returns the exploit calls' trials. */
function cycle(payoff: ThreadPayoff, probeCalls: number, exploitCalls: number, micros: (two: boolean, call: number) => number | null): Trial[] {
  for (let i = 0; i < 2 * probeCalls; i++) {
    const trial = payoff.next();
    assert.equal(trial, i < probeCalls ? Trial.timedOne : Trial.timedTwo, `probe call ${i}`);
    const t = micros(trial === Trial.timedTwo, i % probeCalls);
    if (t !== null) payoff.record(t);
  }
  return Array.from({ length: exploitCalls }, () => payoff.next());
}

test('mid-size calls go to two threads for a cycle only when their probe was faster by the margin, the settling calls not counted', () => {
  const payoff = new ThreadPayoff({ probeCalls: 4, settleCalls: 1, exploitCalls: 6, margin: 0.9 });
  // Two threads 30 µs a call against 40 on one: taken for the whole cycle.
  assert.deepEqual(cycle(payoff, 4, 6, (two) => (two ? 30 : 40)), Array(6).fill(Trial.two));
  assert.equal(payoff.twoThreadsWin(), true);
  // The next cycle measures afresh: 38 against 40 is not below 0.9 × 40.
  assert.deepEqual(cycle(payoff, 4, 6, (two) => (two ? 38 : 40)), Array(6).fill(Trial.one));
  // A very slow first call of a probe (the helper waking) is not counted.
  assert.deepEqual(cycle(payoff, 4, 6, (two, call) => (two ? (call === 0 ? 1000 : 20) : 40)), Array(6).fill(Trial.two));
  // Without the settling rule it would have decided the other way.
  const strict = new ThreadPayoff({ probeCalls: 4, settleCalls: 0, exploitCalls: 6, margin: 0.9 });
  assert.deepEqual(cycle(strict, 4, 6, (two, call) => (two ? (call === 0 ? 1000 : 20) : 40)), Array(6).fill(Trial.one));
});

test('a way that was never timed in a probe does not win', () => {
  const payoff = new ThreadPayoff({ probeCalls: 3, settleCalls: 0, exploitCalls: 2 });
  assert.deepEqual(cycle(payoff, 3, 2, (two) => (two ? null : 40)), [Trial.one, Trial.one]);
  assert.deepEqual(cycle(payoff, 3, 2, (two) => (two ? 10 : null)), [Trial.one, Trial.one]);
});

test('ThreadPayoff rejects cycles it cannot run, naming the values', () => {
  assert.throws(() => new ThreadPayoff({ probeCalls: 4, settleCalls: 4 }), /probeCalls > settleCalls.*got 4, 4, 4096/);
  assert.throws(() => new ThreadPayoff({ exploitCalls: 0.5 }), /exploitCalls ≥ 1, got 256, 32, 0.5/);
  assert.throws(() => new ThreadPayoff({ margin: 1.5 }), /margin must be in \(0, 1\], got 1.5/);
});
