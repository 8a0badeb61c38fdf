/**
 * The task kinds SecAgg adds to the federation's generic envelope, and how the first stage carries
 * the plant's real task (fit, statistics) inside it: the inner kind and the session go in reserved
 * `secagg*` config keys, the inner task's config and arrays travel unchanged beside them.
 *
 * @example
 * const task = wrapInnerTask(fitTask, { session: 'run-1/3/fit' });
 * splitInnerTask(task).inner // deep-equals fitTask
 */
import type { ConfigRecord, TaskMessage } from '../../federation/messages.js';

export const secAggTaskKinds = {
  advertise: 'secagg.advertise',
  share: 'secagg.share',
  mask: 'secagg.mask',
  unmask: 'secagg.unmask',
} as const;

const RESERVED = ['secaggInnerKind', 'secaggSession', 'secaggCohort'];

/** The first-stage task that carries `inner`. */
export function wrapInnerTask(inner: TaskMessage, options: { session: string }): TaskMessage {
  return {
    kind: secAggTaskKinds.advertise,
    runId: inner.runId,
    round: inner.round,
    config: { ...inner.config, secaggInnerKind: inner.kind, secaggSession: options.session },
    arrays: inner.arrays,
    bytes: inner.bytes,
  };
}

/** The inner task and the SecAgg settings of a first-stage task. */
export function splitInnerTask(task: TaskMessage): { inner: TaskMessage; session: string } {
  const config: Record<string, ConfigRecord[string]> = {};
  for (const [k, v] of Object.entries(task.config)) if (!RESERVED.includes(k)) config[k] = v;
  const kind = task.config.secaggInnerKind;
  if (typeof kind !== 'string') throw new RangeError(`${task.kind} task of round ${task.round} carries no inner task kind`);
  return {
    inner: { kind, runId: task.runId, round: task.round, config, arrays: task.arrays, bytes: task.bytes },
    session: String(task.config.secaggSession),
  };
}
