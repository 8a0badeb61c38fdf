/**
 * A Grid whose plants run in this process: simulation, tests, and benchmarks with many plants. The
 * same round loop and strategies run on it as on the gRPC grid; replies pass through the same
 * `Inbox` rules (stale, duplicate, identity). Plants can be disconnected, reconnected and slowed down
 * to rehearse drops and stragglers.
 *
 * @example
 * const grid = new InMemoryGrid([createPlant({ plantId: 'a', data, model }), createPlant({ plantId: 'b', data: dataB, model })]);
 * for await (const round of runFederation(grid, fedAvg(), options)) console.log(round.metrics);
 */
import type { Grid, GridEvent, SendOptions, WaitOptions } from './grid.js';
import { GridEvents, waitUntil } from './grid.js';
import { Inbox, type Verdict } from './inbox.js';
import { failureReply, type PlantReply, type TaskMessage } from './messages.js';
import type { PlantHandler } from './plant.js';

/** A plant as the in-memory grid sees it: an id and the handler of its pipeline. */
export interface InMemoryPlant {
  readonly plantId: string;
  readonly handle: PlantHandler;
}

export interface InMemoryGridOptions {
  /** Simulated delay before plant `plantId` answers `task` (ms). Default none. */
  readonly delayMs?: (plantId: string, task: TaskMessage) => number;
}

export class InMemoryGrid implements Grid {
  private readonly plantsById = new Map<string, InMemoryPlant>();
  private readonly connected = new Set<string>();
  private readonly events = new GridEvents();
  private readonly inbox = new Inbox(this.events);
  private readonly waiters = new Set<() => void>();
  private readonly delays = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(
    plants: readonly InMemoryPlant[] = [],
    private readonly options: InMemoryGridOptions = {},
  ) {
    for (const p of plants) this.connect(p);
  }

  /** Connects (or reconnects) a plant. */
  connect(plant: InMemoryPlant): void {
    this.plantsById.set(plant.plantId, plant);
    if (this.connected.has(plant.plantId)) return;
    this.connected.add(plant.plantId);
    this.events.emit({ type: 'plant-connected', plantId: plant.plantId });
    for (const wake of [...this.waiters]) wake();
  }

  /** Disconnects a plant: its open tasks end with PLANT_DISCONNECTED; its late answers are stale. */
  disconnect(plantId: string): void {
    if (!this.connected.delete(plantId)) return;
    this.inbox.dropPlant(plantId);
    this.events.emit({ type: 'plant-disconnected', plantId });
  }

  /** Delivers a raw reply as if `senderId` had uploaded it (tests of stale, duplicate and forged replies). */
  submitAs(senderId: string, reply: PlantReply): Verdict {
    return this.inbox.submit(senderId, reply);
  }

  plants(): readonly string[] {
    return [...this.connected].sort();
  }

  async waitForPlants(min: number, options: WaitOptions): Promise<readonly string[]> {
    await waitUntil(() => this.connected.size >= min || this.closed, this.waiters, options);
    return this.plants();
  }

  send(plantIds: readonly string[], task: TaskMessage | ((plantId: string) => TaskMessage), options: SendOptions): AsyncIterable<PlantReply> {
    const tasks = new Map<string, TaskMessage>();
    for (const id of plantIds) tasks.set(id, typeof task === 'function' ? task(id) : task);
    const replies = this.inbox.open(tasks, options);
    for (const [plantId, t] of tasks) {
      const plant = this.plantsById.get(plantId);
      if (plant === undefined || !this.connected.has(plantId)) {
        queueMicrotask(() => this.inbox.dropPlant(plantId));
        continue;
      }
      void this.run(plant, t);
    }
    return replies;
  }

  onEvent(listener: (event: GridEvent) => void): () => void {
    return this.events.on(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.delays) clearTimeout(timer);
    this.delays.clear();
    this.inbox.closeAll();
    for (const wake of [...this.waiters]) wake();
  }

  private async run(plant: InMemoryPlant, task: TaskMessage): Promise<void> {
    const delay = this.options.delayMs?.(plant.plantId, task) ?? 0;
    // Yield first so that send() returns before any plant work starts, as over a network.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, delay);
      this.delays.add(timer);
    });
    if (this.closed || !this.connected.has(plant.plantId)) return;
    let reply: PlantReply;
    try {
      reply = await plant.handle(task);
    } catch (e) {
      // A plant pipeline should answer failures as data; a thrown error is turned into one here.
      reply = failureReply(task, plant.plantId, { code: 'PLANT_TASK_FAILED', message: e instanceof Error ? e.message : String(e) });
    }
    if (!this.connected.has(plant.plantId)) return; // dropped while working: the answer never arrives
    this.inbox.submit(plant.plantId, reply);
  }
}
