/**
 * The summation primitive: ask plants for vectors and learn only their SUM. The coordinator code
 * that needs a sum (federated feature scaling) goes through a `Summation`, so secure aggregation
 * (`src/privacy/secagg/`) can replace `plainSummation` — under which the coordinator does see each
 * reply — by a protocol under which it sees only the total.
 *
 * @example
 * const { sums, count } = await plainSummation.sum(grid, plants, statisticsTask, { timeoutMs: 10_000 });
 */
import type { Grid, SendOptions } from './grid.js';
import type { ReplyFailure, TaskMessage } from './messages.js';

export interface SumOutcome {
  /** Elementwise sums of each named array over the contributing plants. */
  readonly sums: Readonly<Record<string, Float64Array>>;
  /** Sum of the contributors' numExamples. */
  readonly count: number;
  /** Plants whose vectors are in the sum (sorted). */
  readonly contributors: readonly string[];
  /** Plants that did not contribute, and why. */
  readonly failures: readonly ReplyFailure[];
}

export interface Summation {
  /** Sends `task` to `plantIds` and returns the sum of the named arrays of the plants that answered. */
  sum(grid: Grid, plantIds: readonly string[], task: TaskMessage, options: SendOptions): Promise<SumOutcome>;
}

/** Sums in the clear: correct, but the coordinator sees each plant's vectors. */
export const plainSummation: Summation = {
  async sum(grid, plantIds, task, options) {
    const replies = [];
    const failures: ReplyFailure[] = [];
    for await (const r of grid.send(plantIds, task, options)) {
      if (r.ok) replies.push(r);
      else failures.push(r);
    }
    // Fixed order, so the float sum does not depend on arrival order.
    replies.sort((a, b) => (a.plantId < b.plantId ? -1 : a.plantId > b.plantId ? 1 : 0));
    const sums: Record<string, Float64Array> = {};
    const contributors: string[] = [];
    let count = 0;
    for (const r of replies) {
      const shapeError = mismatch(sums, r.arrays);
      if (shapeError !== undefined) {
        failures.push({ ok: false, kind: r.kind, runId: r.runId, round: r.round, plantId: r.plantId, failure: { code: 'UPDATE_REJECTED', message: shapeError } });
        continue;
      }
      for (const [name, v] of Object.entries(r.arrays)) {
        if (v === undefined) continue;
        const acc = (sums[name] ??= new Float64Array(v.length));
        for (let i = 0; i < v.length; i++) acc[i] += v[i];
      }
      count += r.numExamples;
      contributors.push(r.plantId);
    }
    return { sums, count, contributors, failures };
  },
};

function mismatch(sums: Record<string, Float64Array>, arrays: Readonly<Record<string, Float64Array | undefined>>): string | undefined {
  for (const [name, v] of Object.entries(arrays)) {
    if (v === undefined) continue;
    if (sums[name] !== undefined && sums[name].length !== v.length) return `'${name}' has ${v.length} values, other plants sent ${sums[name].length}`;
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return `'${name}'[${i}] is ${v[i]}`;
  }
  return undefined;
}
