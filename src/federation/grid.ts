/**
 * The transport seam: the round loop and strategies talk only to a `Grid`. `InMemoryGrid`
 * (`in-memory-grid.ts`) runs plants in-process for simulation and tests; the gRPC grid in
 * `src/transport/` connects real plant processes. Both pass `gridConformance` (grid-conformance.ts).
 * (Flower's Grid/Driver is the model.)
 *
 * Contract of `send`: exactly one reply per addressed plant, in arrival order — the plant's own
 * reply (success or failure), or a failure the grid synthesises (PLANT_TIMEOUT after `timeoutMs`,
 * PLANT_DISCONNECTED when the plant drops). It never throws for a plant's sake and never waits past
 * `timeoutMs`. Replies that do not answer an open task (stale round, duplicate, another plant's
 * identity) are rejected with a named code, reported as a 'reply-rejected' event and do not count.
 *
 * @example
 * const plants = await grid.waitForPlants(2, { timeoutMs: 30_000 });
 * for await (const reply of grid.send(plants, task, { timeoutMs: 60_000 })) {
 *   if (reply.ok) results.push(reply); else console.warn(reply.plantId, reply.failure.code);
 * }
 */
import type { ErrorCode } from '../errors.js';
import type { PlantReply, TaskMessage } from './messages.js';

/** Options of one `Grid.send`. */
export interface SendOptions {
  /** Per-plant deadline from the moment of sending; late plants get a PLANT_TIMEOUT failure. */
  readonly timeoutMs: number;
  /** Aborting ends the stream early: plants not yet answered get a PLANT_TIMEOUT failure. */
  readonly signal?: AbortSignal;
}

/** Options of `Grid.waitForPlants`. */
export interface WaitOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}

/** What a grid reports as it happens (for logs, the CLI and the dashboard). */
export type GridEvent =
  | { readonly type: 'plant-connected'; readonly plantId: string }
  | { readonly type: 'plant-disconnected'; readonly plantId: string }
  | {
      readonly type: 'reply-rejected';
      readonly plantId: string;
      readonly round: number;
      readonly code: ErrorCode;
      readonly message: string;
    };

/** The coordinator's view of the connected plants. */
export interface Grid {
  /** Ids of the plants connected now, sorted. */
  plants(): readonly string[];
  /**
   * Resolves with the connected plants (sorted) as soon as at least `min` are connected, or with
   * whatever is connected when `timeoutMs` passes; the caller decides whether that is a quorum.
   */
  waitForPlants(min: number, options: WaitOptions): Promise<readonly string[]>;
  /**
   * Sends `task` (or `task(plantId)`, for per-plant tasks) to each plant and yields exactly one
   * reply per plant as replies arrive (see the contract above).
   */
  send(plantIds: readonly string[], task: TaskMessage | ((plantId: string) => TaskMessage), options: SendOptions): AsyncIterable<PlantReply>;
  /** Subscribes to grid events; returns the unsubscribe function. */
  onEvent(listener: (event: GridEvent) => void): () => void;
  /** Stops the grid; open sends finish with PLANT_DISCONNECTED failures. */
  close(): Promise<void>;
}

/** A small listener set both grid implementations use. */
export class GridEvents {
  private readonly listeners = new Set<(event: GridEvent) => void>();

  on(listener: (event: GridEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: GridEvent): void {
    for (const l of this.listeners) l(event);
  }
}

/**
 * Resolves once `ready()` holds, re-checked whenever the grid calls the waiters in `waiters` (on a
 * connect or close), or when `timeoutMs` passes or `signal` aborts — whichever comes first. Both grid
 * implementations wait for plants this way.
 */
export async function waitUntil(ready: () => boolean, waiters: Set<() => void>, options: WaitOptions): Promise<void> {
  if (ready()) return;
  await new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      waiters.delete(check);
      options.signal?.removeEventListener('abort', done);
      resolve();
    };
    const check = (): void => {
      if (ready()) done();
    };
    const timer = setTimeout(done, options.timeoutMs);
    waiters.add(check);
    options.signal?.addEventListener('abort', done, { once: true });
  });
}
