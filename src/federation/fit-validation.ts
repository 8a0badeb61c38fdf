/**
 * The coordinator's checks of a fit reply before a strategy sees it: the update (and SCAFFOLD's
 * control delta) must have the global model's length and only finite values, and the example count
 * must be a positive integer. A failed check rejects that plant's result with UPDATE_REJECTED; the
 * round continues with the others.
 *
 * @example
 * const problem = checkFitReply(reply, { parameterCount: 1234, needsControlDelta: false });
 * if (problem !== undefined) dropped.push(problem);
 */
import type { PlantFailure, ReplyOk } from './messages.js';

export interface FitCheck {
  readonly parameterCount: number;
  /** Whether the strategy needs `arrays.controlDelta` (SCAFFOLD). */
  readonly needsControlDelta: boolean;
}

/** Why `reply` cannot be aggregated, or undefined if it can. */
export function checkFitReply(reply: ReplyOk, check: FitCheck): PlantFailure | undefined {
  const where = `plant '${reply.plantId}', round ${reply.round}`;
  const reject = (message: string): PlantFailure => ({ code: 'UPDATE_REJECTED', message: `${where}: ${message}` });
  if (!Number.isInteger(reply.numExamples) || reply.numExamples <= 0) {
    return reject(`numExamples must be a positive integer, got ${reply.numExamples}`);
  }
  const names = check.needsControlDelta ? ['update', 'controlDelta'] : ['update'];
  for (const name of names) {
    const v = reply.arrays[name];
    if (v === undefined) return reject(`the reply carries no '${name}' vector`);
    if (v.length !== check.parameterCount) return reject(`'${name}' has ${v.length} values, the global model has ${check.parameterCount}`);
    for (let i = 0; i < v.length; i++) {
      if (!Number.isFinite(v[i])) return reject(`'${name}'[${i}] is ${v[i]} (non-finite values are refused)`);
    }
  }
  return undefined;
}
