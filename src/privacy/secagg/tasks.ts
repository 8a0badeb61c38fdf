/**
 * The task kinds SecAgg adds to the federation's generic envelope, and how a stage task carries the
 * plant's real task (fit, statistics) inside it: the inner kind and the session go in reserved
 * `secagg*` config keys, the stage's own payloads in reserved `secagg*` bytes, and the inner task's
 * config, arrays and bytes travel unchanged beside them. The inner task rides on the first stage of
 * a round: key advertising, or — when the plants advertised and shared this session's keys in the
 * previous session's last two stages — the masked-input stage, with the shares addressed to the plant.
 *
 * @example
 * const task = wrapInnerTask(fitTask, { session: 'run-1/fit/3-ab12' });
 * splitInnerTask(task).inner // deep-equals fitTask
 */
import type { ConfigRecord, TaskMessage } from '../../federation/messages.js';

export const secAggTaskKinds = {
  advertise: 'secagg.advertise',
  share: 'secagg.share',
  mask: 'secagg.mask',
  unmask: 'secagg.unmask',
} as const;

/**
 * Names of the stage payloads that may travel beside an inner task (in the task's bytes), and of
 * what a plant sends for the next session: its keys (masked-input reply) and its sealed shares
 * (unmasking reply).
 */
export const stageBytes = {
  roster: 'secaggRoster',
  policy: 'secaggPolicy',
  delivery: 'secaggDelivery',
  nextKeys: 'secaggNextKeys',
  nextShared: 'secaggNextShared',
} as const;

const RESERVED_CONFIG = ['secaggInnerKind', 'secaggSession', 'secaggCohort', 'secaggNextSession'];
const RESERVED_BYTES: readonly string[] = Object.values(stageBytes);

/** A stage task (the first stage by default) that carries `inner` beside the stage's own bytes. */
export function wrapInnerTask(
  inner: TaskMessage,
  options: { session: string; kind?: string; config?: ConfigRecord; bytes?: Readonly<Record<string, Uint8Array>> },
): TaskMessage {
  const clash = Object.keys(inner.bytes ?? {}).find((name) => RESERVED_BYTES.includes(name));
  if (clash !== undefined) throw new RangeError(`${inner.kind} task of round ${inner.round}: bytes '${clash}' are reserved for secure aggregation`);
  return {
    kind: options.kind ?? secAggTaskKinds.advertise,
    runId: inner.runId,
    round: inner.round,
    config: { ...inner.config, ...options.config, secaggInnerKind: inner.kind, secaggSession: options.session },
    arrays: inner.arrays,
    bytes: { ...inner.bytes, ...options.bytes },
  };
}

/** Whether a stage task carries an inner task. */
export function carriesInnerTask(task: TaskMessage): boolean {
  return typeof task.config.secaggInnerKind === 'string';
}

/** The inner task and the session of a stage task that carries one. */
export function splitInnerTask(task: TaskMessage): { inner: TaskMessage; session: string } {
  const config: Record<string, ConfigRecord[string]> = {};
  for (const [k, v] of Object.entries(task.config)) if (!RESERVED_CONFIG.includes(k)) config[k] = v;
  const bytes: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(task.bytes ?? {})) if (!RESERVED_BYTES.includes(k)) bytes[k] = v;
  const kind = task.config.secaggInnerKind;
  if (typeof kind !== 'string') throw new RangeError(`${task.kind} task of round ${task.round} carries no inner task kind`);
  return {
    inner: { kind, runId: task.runId, round: task.round, config, arrays: task.arrays, bytes: task.bytes === undefined ? undefined : bytes },
    session: String(task.config.secaggSession),
  };
}
