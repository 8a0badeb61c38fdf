/**
 * Whether sharing mid-size layers with the helper thread pays, decided by timing both ways. The
 * helper's share of the work is not enough to go by: on a machine whose cores are busy the helper
 * still takes its chunks, only late; the copies into shared memory (~5× a plain memcpy) are paid
 * either way; and a helper that polls for work takes CPU time from the main thread itself. There, a
 * 64 → 64 → 64 tanh MLP's training step took ~1.5–3× as long with the helper as without.
 *
 * So the mid-size calls run in cycles: `probeCalls` timed calls on one thread, `probeCalls` timed
 * calls offered to two threads, then `exploitCalls` calls the way whose mean wall time per call was
 * lower (two threads only when below `margin` times one thread's). The mean is over all calls of a
 * probe, whatever their shapes (the same mix in both probes), so a helper that slows the main
 * thread down by polling shows in it too; the first `settleCalls` of a probe are not counted (the
 * helper of the previous one may still be polling, or waking). Results do not depend on the way
 * (see dense-threads.ts), so a wrong guess costs only time, and the next cycle corrects it.
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
  /** Timed calls of each way per cycle. Default 256 (~10 ms of a 64-row MLP's training steps). */
  probeCalls?: number;
  /** Of those, the first ones not counted. Default 32. */
  settleCalls?: number;
  /** Calls per cycle that take the faster way. Default 4096. */
  exploitCalls?: number;
  /** Two threads are taken when their mean time per call is below this fraction of one thread's. Default 0.95. */
  margin?: number;
}

export class ThreadPayoff {
  private readonly probeCalls: number;
  private readonly settleCalls: number;
  private readonly exploitCalls: number;
  private readonly margin: number;
  private calls = 0;
  private sums = { one: 0, nOne: 0, two: 0, nTwo: 0 };
  private twoWins = false;
  /** Which probe the call just handed out counts for: 0 none, 1 one thread, 2 two threads. */
  private counting = 0;

  constructor(options: ThreadPayoffOptions = {}) {
    this.probeCalls = options.probeCalls ?? 256;
    this.settleCalls = options.settleCalls ?? 32;
    this.exploitCalls = options.exploitCalls ?? 4096;
    this.margin = options.margin ?? 0.95;
    const { probeCalls: p, settleCalls: s, exploitCalls: e } = this;
    if (![p, s, e].every(Number.isInteger) || !(s >= 0 && p > s && e >= 1)) {
      throw new RangeError(`ThreadPayoff: need integers probeCalls > settleCalls ≥ 0 and exploitCalls ≥ 1, got ${p}, ${s}, ${e}`);
    }
    if (!(this.margin > 0 && this.margin <= 1)) throw new RangeError(`ThreadPayoff: margin must be in (0, 1], got ${this.margin}`);
  }

  /** What the next mid-size call should do. */
  next(): Trial {
    const p = this.probeCalls;
    const phase = this.calls++ % (2 * p + this.exploitCalls);
    if (phase === 0) this.sums = { one: 0, nOne: 0, two: 0, nTwo: 0 };
    if (phase < 2 * p) {
      const two = phase >= p;
      this.counting = phase % p < this.settleCalls ? 0 : two ? 2 : 1;
      return two ? Trial.timedTwo : Trial.timedOne;
    }
    this.counting = 0;
    if (phase === 2 * p) {
      const { one, nOne, two, nTwo } = this.sums;
      this.twoWins = nOne > 0 && nTwo > 0 && two / nTwo < this.margin * (one / nOne);
    }
    return this.twoWins ? Trial.two : Trial.one;
  }

  /** The wall time of the timed call `next` just handed out (whichever way it finally ran). */
  record(micros: number): void {
    if (this.counting === 1) {
      this.sums.one += micros;
      this.sums.nOne++;
    } else if (this.counting === 2) {
      this.sums.two += micros;
      this.sums.nTwo++;
    }
    this.counting = 0;
  }

  /** Whether the current cycle takes two threads (for tests and benchmarks). */
  twoThreadsWin(): boolean {
    return this.twoWins;
  }
}
