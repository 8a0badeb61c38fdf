import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ThreadPayoff, type ThreadPayoffOptions, Trial } from './thread-payoff.js';

const timed = (trial: Trial): boolean => trial === Trial.timedOne || trial === Trial.timedTwo;

/** A payoff whose next trial can be looked at before it is taken (to find where an exploit phase ends). */
class Caller {
  private peeked: Trial | null = null;
  constructor(readonly payoff: ThreadPayoff) {}
  next(): Trial {
    const trial = this.peeked ?? this.payoff.next();
    this.peeked = null;
    return trial;
  }
  peek(): Trial {
    return (this.peeked ??= this.payoff.next());
  }
}

/**
 * Runs one probe of `probeCalls` calls a way, recording for each call the time `micros` gives it
 * (null: not recorded), then the exploit phase up to the next probe; returns the probe's trials and
 * the exploit phase's.
 */
function cycle(caller: Caller, probeCalls: number, micros: (two: boolean, call: number) => number | null): { probe: Trial[]; exploit: Trial[] } {
  const probe: Trial[] = [];
  for (let call = 0; call < 2 * probeCalls; call++) {
    const trial = caller.next();
    probe.push(trial);
    assert.ok(timed(trial), `probe call ${call} is timed`);
    const t = micros(trial === Trial.timedTwo, call);
    if (t !== null) caller.payoff.record(t);
  }
  const exploit: Trial[] = [];
  while (!timed(caller.peek())) exploit.push(caller.next());
  return { probe, exploit };
}

const caller = (options: ThreadPayoffOptions): Caller => new Caller(new ThreadPayoff(options));

/** The options of the small cycles below: probes of 4 calls a way in blocks of 2, 1 settling. */
const small: ThreadPayoffOptions = { probeCalls: 4, blockCalls: 2, settleCalls: 1, firstExploitCalls: 3, exploitCalls: 12, margin: 0.9, trim: 0 };

test('a probe alternates blocks of one-thread and two-thread calls', () => {
  const { probe } = cycle(caller(small), 4, (two) => (two ? 30 : 40));
  const [o, t] = [Trial.timedOne, Trial.timedTwo];
  assert.deepEqual(probe, [o, o, t, t, o, o, t, t]);
});

test('two threads are taken only when their probe was faster by the margin, the settling calls not counted', () => {
  const c = caller(small);
  assert.deepEqual(cycle(c, 4, (two) => (two ? 30 : 40)).exploit, Array(3).fill(Trial.two));
  assert.equal(c.payoff.twoThreadsWin(), true);
  // The next probe measures afresh: 38 against 40 is not below 0.9 × 40.
  assert.deepEqual(cycle(c, 4, (two) => (two ? 38 : 40)).exploit, Array(3).fill(Trial.one));
  assert.equal(c.payoff.twoThreadsWin(), false);
  // A very slow first call of each two-thread block (the helper waking) is not counted.
  const waking = (two: boolean, call: number): number => (two ? (call % 2 === 0 ? 1000 : 20) : 40);
  assert.equal(cycle(caller(small), 4, waking).exploit[0], Trial.two);
  // Without the settling rule it would have decided the other way.
  assert.equal(cycle(caller({ ...small, settleCalls: 0 }), 4, waking).exploit[0], Trial.one);
});

test('a disturbance during the second half of a probe falls on both ways, and the slowest calls are trimmed', () => {
  // Calls 8–15 of 16 slowed 3× (another process on the core). In sequential probes (one thread,
  // then two) it falls on the two-thread calls only, and one thread wins; in alternating blocks both
  // ways see half of it, and 30 against 40 wins.
  const options = { ...small, probeCalls: 8, blockCalls: 4, settleCalls: 0 };
  const busy = (two: boolean, call: number): number => (two ? 30 : 40) * (call >= 8 ? 3 : 1);
  assert.equal(cycle(caller({ ...options, blockCalls: 8 }), 8, busy).exploit[0], Trial.one);
  assert.equal(cycle(caller(options), 8, busy).exploit[0], Trial.two);
  // One descheduled two-thread call of 8 (10,000 µs) decides against two threads untrimmed, not
  // with the slowest eighth left out.
  const stall = (two: boolean, call: number): number => (two ? (call === 5 ? 10_000 : 30) : 40);
  assert.equal(cycle(caller(options), 8, stall).exploit[0], Trial.one);
  assert.equal(cycle(caller({ ...options, trim: 0.125 }), 8, stall).exploit[0], Trial.two);
});

test('the exploit phase doubles while probes agree, and starts short again when one changes the way', () => {
  const c = caller(small);
  const lengths: number[] = [];
  const fast = (two: boolean): number => (two ? 30 : 40);
  const slow = (two: boolean): number => (two ? 50 : 40);
  for (const way of [fast, fast, fast, fast, fast, slow, slow, fast]) lengths.push(cycle(c, 4, way).exploit.length);
  assert.deepEqual(lengths, [3, 6, 12, 12, 12, 3, 6, 3]);
});

test('a way that was never timed in a probe does not win', () => {
  const c = caller({ ...small, settleCalls: 0 });
  assert.equal(cycle(c, 4, (two) => (two ? null : 40)).exploit[0], Trial.one);
  assert.equal(cycle(c, 4, (two) => (two ? 10 : null)).exploit[0], Trial.one);
});

test('ThreadPayoff rejects cycles it cannot run, naming the values', () => {
  assert.throws(() => new ThreadPayoff({ blockCalls: 16, settleCalls: 16 }), /blockCalls > settleCalls.*got probeCalls 256, blockCalls 16, settleCalls 16/);
  assert.throws(() => new ThreadPayoff({ probeCalls: 100 }), /blockCalls dividing probeCalls.*probeCalls 100, blockCalls 64/);
  assert.throws(() => new ThreadPayoff({ exploitCalls: 100 }), /exploitCalls ≥ firstExploitCalls.*firstExploitCalls 512, exploitCalls 100/);
  assert.throws(() => new ThreadPayoff({ margin: 1.5 }), /margin must be in \(0, 1\], got 1.5/);
  assert.throws(() => new ThreadPayoff({ trim: 1 }), /trim must be in \[0, 1\), got 1/);
});
