/**
 * One stage of a round (fit or evaluate): send the tasks, gather replies under the straggler
 * policy, and sort them into accepted results and dropped plants. Failures never throw here; the
 * caller decides whether what was accepted is a quorum.
 *
 * Straggler policies:
 * - `wait-for-all`: wait for every plant up to the stage timeout (deterministic: what arrives in
 *   time is what a healthy network delivers).
 * - `grace-after-quorum`: once `minPlants` results are in, wait at most `graceMs` more, then
 *   abandon the rest (faster rounds; which plants make it then depends on timing).
 *
 * @example
 * const { accepted, dropped } = await runStage(grid, plants, taskFor, { stage: 'fit', timeoutMs: 60_000, minPlants: 2, straggler: { kind: 'wait-for-all' } });
 */
import type { Grid } from './grid.js';
import type { PlantFailure, ReplyOk, TaskMessage } from './messages.js';
import type { DroppedPlant, FederationEvent } from './round-result.js';

export type StragglerPolicy = { readonly kind: 'wait-for-all' } | { readonly kind: 'grace-after-quorum'; readonly graceMs: number };

export interface StageOptions {
  readonly stage: 'fit' | 'evaluate';
  readonly round: number;
  readonly timeoutMs: number;
  readonly minPlants: number;
  readonly straggler: StragglerPolicy;
  /** Checks a successful reply; a returned failure drops the plant. */
  readonly check?: (reply: ReplyOk) => PlantFailure | undefined;
  readonly onEvent?: (event: FederationEvent) => void;
  readonly signal?: AbortSignal;
}

export interface StageOutcome {
  /** Accepted replies, sorted by plant id. */
  readonly accepted: ReplyOk[];
  readonly dropped: DroppedPlant[];
}

/** Sends `task` to `plantIds` and gathers the replies (see the policies above). */
export async function runStage(
  grid: Grid,
  plantIds: readonly string[],
  task: (plantId: string) => TaskMessage,
  options: StageOptions,
): Promise<StageOutcome> {
  const accepted: ReplyOk[] = [];
  const dropped: DroppedPlant[] = [];
  const abandon = new AbortController();
  const onOuterAbort = (): void => abandon.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let grace: NodeJS.Timeout | undefined;
  let abandoned = false;
  const drop = (plantId: string, failure: PlantFailure): void => {
    const d: DroppedPlant = { plantId, stage: options.stage, code: failure.code, message: failure.message };
    dropped.push(d);
    options.onEvent?.({ type: 'plant-dropped', round: options.round, plant: d });
  };
  try {
    for await (const reply of grid.send(plantIds, task, { timeoutMs: options.timeoutMs, signal: abandon.signal })) {
      if (!reply.ok) {
        drop(reply.plantId, abandoned && reply.failure.code === 'PLANT_TIMEOUT' ? { code: 'PLANT_TIMEOUT', message: `abandoned as a straggler (${reply.failure.message})` } : reply.failure);
        continue;
      }
      const problem = options.check?.(reply);
      if (problem !== undefined) {
        drop(reply.plantId, problem);
        continue;
      }
      accepted.push(reply);
      if (options.straggler.kind === 'grace-after-quorum' && grace === undefined && accepted.length >= options.minPlants && accepted.length < plantIds.length) {
        grace = setTimeout(() => {
          abandoned = true;
          const answered = new Set([...accepted.map((r) => r.plantId), ...dropped.map((d) => d.plantId)]);
          options.onEvent?.({ type: 'stragglers-abandoned', round: options.round, stage: options.stage, plantIds: plantIds.filter((id) => !answered.has(id)) });
          abandon.abort();
        }, options.straggler.graceMs);
      }
    }
  } finally {
    clearTimeout(grace);
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  accepted.sort((a, b) => compareIds(a.plantId, b.plantId));
  dropped.sort((a, b) => compareIds(a.plantId, b.plantId));
  return { accepted, dropped };
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
