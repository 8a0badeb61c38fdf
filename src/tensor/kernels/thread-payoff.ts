/**
 * Whether sharing mid-size layers with the helper thread pays, decided by timing both ways. The
 * helper's share of the work is not enough to go by: on a machine whose cores are busy the helper
 * still takes its chunks, only late; the copies into shared memory (~5× a plain memcpy) are paid
 * either way; and a helper that polls for work takes CPU time from the main thread itself. There, a
 * 64 → 64 → 64 tanh MLP's training step took ~1.5–3× as long with the helper as without.
 *
 * So the mid-size calls run in cycles: a probe, then an exploit phase that takes the way the probe
 * found faster. The probe is `probeCalls` timed calls of each way, in blocks of `blockCalls` that
 * alternate (one thread, two threads, one, …), so that a passing disturbance — another process, a
 * garbage collection on the other core, the first calls into a cold module — falls on both ways
 * alike rather than on one of them. Of each block the first `settleCalls` are not counted (the
 * helper of the block before may still be polling, or waking). Each way's time is the mean per
 * counted call without its slowest `trim` fraction, so that a few calls during which a thread was
 * descheduled do not decide: two threads are taken when theirs is below `margin` times one thread's.
 * It is a mean, whatever the calls' shapes (the same mix in both ways), so a helper that slows the
 * main thread down by polling shows in it.
 *
 * The exploit phase starts at `firstExploitCalls` calls and doubles, up to `exploitCalls`, while the
 * probes keep choosing the same way; a probe that chooses the other way starts it short again. So a
 * wrong first choice — made on a cold start, or while the machine was briefly busy — is corrected
 * soon, and a settled one is probed rarely. Results do not depend on the way (see dense-threads.ts),
 * so a wrong guess costs only time.
 *
 * @example
 * const payoff = new ThreadPayoff();
 * const trial = payoff.next();                       // Trial.timedOne at first
 * payoff.record(28.1);                               // µs that call took
 */

/** What a call should do: bit 0 — offer it to two threads; bit 1 — time it and `record` the time. */
export const Trial = { one: 0, two: 1, timedOne: 2, timedTwo: 3 } as const;
export type Trial = (typeof Trial)[keyof typeof Trial];

export interface ThreadPayoffOptions {
  /** Timed calls of each way per probe. Default 256 (~30 ms of a 64-row MLP's training steps). */
  probeCalls?: number;
  /** Calls per probe block; blocks alternate between the ways. Must divide probeCalls. Default 64. */
  blockCalls?: number;
  /** Of each block, the first calls not counted. Default 16. */
  settleCalls?: number;
  /** Fraction of each way's counted calls, the slowest, left out of its mean. Default 0.1. */
  trim?: number;
  /** Calls of the first exploit phase, and after a probe that changed the way. Default 512. */
  firstExploitCalls?: number;
  /** Most calls of an exploit phase. Default 4096. */
  exploitCalls?: number;
  /** Two threads are taken when their mean time per call is below this fraction of one thread's. Default 0.95. */
  margin?: number;
}

export class ThreadPayoff {
  private readonly probeCalls: number;
  private readonly blockCalls: number;
  private readonly settleCalls: number;
  private readonly trim: number;
  private readonly firstExploitCalls: number;
  private readonly exploitCalls: number;
  private readonly margin: number;
  /** Calls handed out since the current cycle began. */
  private phase = 0;
  private exploit: number;
  private readonly times: { one: Float64Array; two: Float64Array };
  private counted = { one: 0, two: 0 };
  private twoWins = false;
  private decided = false;
  /** Which way the call just handed out counts for: 0 none, 1 one thread, 2 two threads. */
  private counting = 0;

  constructor(options: ThreadPayoffOptions = {}) {
    this.probeCalls = options.probeCalls ?? 256;
    this.blockCalls = options.blockCalls ?? 64;
    this.settleCalls = options.settleCalls ?? 16;
    this.trim = options.trim ?? 0.1;
    this.firstExploitCalls = options.firstExploitCalls ?? 512;
    this.exploitCalls = options.exploitCalls ?? 4096;
    this.margin = options.margin ?? 0.95;
    const { probeCalls: p, blockCalls: b, settleCalls: s, firstExploitCalls: f, exploitCalls: e } = this;
    if (![p, b, s, f, e].every(Number.isInteger) || !(b > s && s >= 0 && p >= b && p % b === 0 && f >= 1 && e >= f)) {
      throw new RangeError(
        `ThreadPayoff: need integers with blockCalls dividing probeCalls, blockCalls > settleCalls ≥ 0 and exploitCalls ≥ firstExploitCalls ≥ 1; ` +
          `got probeCalls ${p}, blockCalls ${b}, settleCalls ${s}, firstExploitCalls ${f}, exploitCalls ${e}`,
      );
    }
    if (!(this.margin > 0 && this.margin <= 1)) throw new RangeError(`ThreadPayoff: margin must be in (0, 1], got ${this.margin}`);
    if (!(this.trim >= 0 && this.trim < 1)) throw new RangeError(`ThreadPayoff: trim must be in [0, 1), got ${this.trim}`);
    this.exploit = this.firstExploitCalls;
    const perWay = (p / b) * (b - s);
    this.times = { one: new Float64Array(perWay), two: new Float64Array(perWay) };
  }

  /** What the next mid-size call should do. */
  next(): Trial {
    const probe = 2 * this.probeCalls;
    if (this.phase === probe + this.exploit) this.phase = 0;
    const phase = this.phase++;
    if (phase === 0) this.counted = { one: 0, two: 0 };
    if (phase < probe) {
      const two = Math.floor(phase / this.blockCalls) % 2 === 1;
      this.counting = phase % this.blockCalls < this.settleCalls ? 0 : two ? 2 : 1;
      return two ? Trial.timedTwo : Trial.timedOne;
    }
    this.counting = 0;
    if (phase === probe) this.decide();
    return this.twoWins ? Trial.two : Trial.one;
  }

  /** The wall time of the timed call `next` just handed out (whichever way it finally ran). */
  record(micros: number): void {
    if (this.counting === 1) this.times.one[this.counted.one++] = micros;
    else if (this.counting === 2) this.times.two[this.counted.two++] = micros;
    this.counting = 0;
  }

  /** Whether the current cycle takes two threads (for tests and benchmarks). */
  twoThreadsWin(): boolean {
    return this.twoWins;
  }

  private decide(): void {
    const one = this.trimmedMean(this.times.one, this.counted.one);
    const two = this.trimmedMean(this.times.two, this.counted.two);
    const twoWins = one !== null && two !== null && two < this.margin * one;
    // The exploit phase now about to start: longer if the probe confirmed the way, short if it changed it.
    this.exploit = this.decided && twoWins === this.twoWins ? Math.min(this.exploitCalls, 2 * this.exploit) : this.firstExploitCalls;
    this.twoWins = twoWins;
    this.decided = true;
  }

  /** Mean of the first `n` times without the slowest `trim` fraction; null if none was recorded. */
  private trimmedMean(times: Float64Array, n: number): number | null {
    if (n === 0) return null;
    const kept = Math.max(1, n - Math.floor(this.trim * n));
    const sorted = times.subarray(0, n).sort();
    let sum = 0;
    for (let i = 0; i < kept; i++) sum += sorted[i];
    return sum / kept;
  }
}
