/**
 * Who is connected to the coordinator, and how tasks reach them: an open StreamTasks call, or a
 * queue drained by PollTask. A plant counts as connected while its stream is open or while it has
 * polled or sent a heartbeat within the silence limit; a newer stream from the same plant (a
 * restarted plant process) replaces the old one without a disconnect.
 *
 * Silence is what the coordinator heard while it listened. A plant with a task open is not held to
 * the silence limit until the task's deadline (its training may keep its own event loop busy; the
 * round's timeout bounds it, and a closed stream still disconnects it at once). And when the
 * coordinator's own event loop stalls (a loaded machine, a long synchronous step), the heartbeats
 * that arrived meanwhile are still unread when the sweep runs: the stalled time is not counted as
 * the plants' silence.
 */
import type * as grpc from '@grpc/grpc-js';
import { waitUntil, type WaitOptions } from '../federation/grid.js';
import type { WireTask } from './wire.js';

interface Session {
  plantId: string;
  stream: grpc.ServerWritableStream<unknown, unknown> | undefined;
  queue: WireTask[];
  pollWaiter: ((task: WireTask | undefined) => void) | undefined;
  lastSeenMs: number;
  busyTaskId: string;
  /** Tasks delivered and not yet answered: task id → deadline (Unix ms). */
  openTasks: Map<string, number>;
}

export interface PlantSessionsOptions {
  silenceLimitMs: number;
  onConnected(plantId: string): void;
  onDisconnected(plantId: string): void;
}

export class PlantSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly waiters = new Set<() => void>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly sweepIntervalMs: number;
  private lastSweepMs = Date.now();

  constructor(private readonly options: PlantSessionsOptions) {
    this.sweepIntervalMs = Math.max(50, options.silenceLimitMs / 3);
    this.sweeper = setInterval(() => this.sweep(), this.sweepIntervalMs);
    this.sweeper.unref();
  }

  connected(): string[] {
    return [...this.sessions.keys()].sort();
  }

  /** What a plant reported it is working on (for status displays). */
  busyTask(plantId: string): string | undefined {
    return this.sessions.get(plantId)?.busyTaskId || undefined;
  }

  async waitFor(min: number, options: WaitOptions, isClosed: () => boolean): Promise<readonly string[]> {
    await waitUntil(() => this.sessions.size >= min || isClosed(), this.waiters, options);
    return this.connected();
  }

  /** Hands a task to a connected plant; false when the plant is not connected. */
  deliver(plantId: string, task: WireTask): boolean {
    const s = this.sessions.get(plantId);
    if (s === undefined) return false;
    s.openTasks.set(task.task_id, task.deadline_unix_ms);
    if (s.stream !== undefined) {
      s.stream.write(task);
    } else if (s.pollWaiter !== undefined) {
      const wake = s.pollWaiter;
      s.pollWaiter = undefined;
      wake(task);
    } else {
      s.queue.push(task);
    }
    return true;
  }

  /** A plant opened StreamTasks: tasks go to this stream until it closes. */
  attachStream(plantId: string, call: grpc.ServerWritableStream<unknown, unknown>): void {
    const s = this.touch(plantId);
    const previous = s.stream;
    s.stream = call;
    previous?.end();
    for (const task of s.queue.splice(0)) call.write(task);
    const detach = (): void => {
      const current = this.sessions.get(plantId);
      if (current?.stream !== call) return; // replaced by a newer stream: not a disconnect
      this.disconnect(plantId);
    };
    call.on('cancelled', detach);
    call.on('close', detach);
    call.on('error', detach);
    call.on('finish', detach);
  }

  /** A plant long-polls: resolves with its next task, or undefined after `waitMs`. */
  poll(plantId: string, waitMs: number): Promise<WireTask | undefined> {
    const s = this.touch(plantId);
    const queued = s.queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    s.pollWaiter?.(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        if (s.pollWaiter === finish) s.pollWaiter = undefined;
        resolve(undefined);
      }, waitMs);
      const finish = (task: WireTask | undefined): void => {
        clearTimeout(timer);
        resolve(task);
      };
      s.pollWaiter = finish;
    });
  }

  /** A polling plant's outstanding poll was cancelled by the transport: the plant is gone. */
  pollCancelled(plantId: string): void {
    const s = this.sessions.get(plantId);
    if (s !== undefined && s.stream === undefined) this.disconnect(plantId);
  }

  /** Any authenticated call: the plant is alive. Connects a polling plant. */
  heard(plantId: string, busyTaskId: string): void {
    const s = this.sessions.get(plantId);
    if (s === undefined) return; // a Register/Submit alone does not make a plant eligible for tasks
    s.lastSeenMs = Date.now();
    s.busyTaskId = busyTaskId;
  }

  /** The plant answered a task: it is held to the silence limit again once no task is open. */
  answered(plantId: string, taskId: string): void {
    this.sessions.get(plantId)?.openTasks.delete(taskId);
  }

  /** Ends a plant's stream and disconnects it (revoked credential). */
  kick(plantId: string): void {
    const s = this.sessions.get(plantId);
    s?.stream?.end();
    this.disconnect(plantId);
  }

  closeAll(): void {
    clearInterval(this.sweeper);
    for (const plantId of [...this.sessions.keys()]) {
      const s = this.sessions.get(plantId);
      s?.stream?.end();
      s?.pollWaiter?.(undefined);
      this.disconnect(plantId);
    }
    for (const wake of [...this.waiters]) wake();
  }

  private touch(plantId: string): Session {
    let s = this.sessions.get(plantId);
    if (s === undefined) {
      s = { plantId, stream: undefined, queue: [], pollWaiter: undefined, lastSeenMs: Date.now(), busyTaskId: '', openTasks: new Map() };
      this.sessions.set(plantId, s);
      this.options.onConnected(plantId);
      for (const wake of [...this.waiters]) wake();
    }
    s.lastSeenMs = Date.now();
    return s;
  }

  private disconnect(plantId: string): void {
    const s = this.sessions.get(plantId);
    if (s === undefined) return;
    this.sessions.delete(plantId);
    s.pollWaiter?.(undefined);
    this.options.onDisconnected(plantId);
  }

  private sweep(): void {
    const now = Date.now();
    const stalledMs = now - this.lastSweepMs - this.sweepIntervalMs;
    this.lastSweepMs = now;
    for (const s of [...this.sessions.values()]) {
      if (stalledMs > 0) s.lastSeenMs = Math.min(now, s.lastSeenMs + stalledMs);
      for (const [taskId, deadline] of s.openTasks) if (deadline <= now) s.openTasks.delete(taskId);
      if (s.openTasks.size === 0 && now - s.lastSeenMs > this.options.silenceLimitMs) {
        s.stream?.end();
        this.disconnect(s.plantId);
      }
    }
  }
}
