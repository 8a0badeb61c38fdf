/**
 * The coordinator's reply desk, shared by every Grid implementation so that they enforce the same
 * rules: a reply is accepted only from the plant it claims to be from (PLANT_IDENTITY_MISMATCH), only
 * for a task that is open for that plant, run, round and kind (ROUND_STALE), and only once
 * (DUPLICATE_SUBMISSION). Each `open` is one `Grid.send`: it yields exactly one reply per plant, the
 * plant's own or a synthesised PLANT_TIMEOUT / PLANT_DISCONNECTED failure.
 *
 * @example
 * const inbox = new Inbox(events);
 * const replies = inbox.open(new Map([['plant-a', task]]), { timeoutMs: 5000 });
 * inbox.submit('plant-a', reply); // { accepted: true }
 * for await (const r of replies) …
 */
import { CrucibleError } from '../errors.js';
import type { GridEvents, SendOptions } from './grid.js';
import { failureReply, type PlantReply, type TaskMessage } from './messages.js';

/** The inbox's answer to a submitted reply (the transport maps a rejection to its status code). */
export type Verdict = { readonly accepted: true } | { readonly accepted: false; readonly error: CrucibleError };

/** How many answered task keys are remembered to tell duplicates from stale replies. */
const answeredMemory = 100_000;

function keyOf(plantId: string, m: { runId: string; round: number; kind: string }): string {
  return `${plantId}\u0000${m.runId}\u0000${m.round}\u0000${m.kind}`;
}

export class Inbox {
  private readonly open_ = new Map<string, ReplyStream>();
  private readonly answered = new Set<string>();

  constructor(private readonly events: GridEvents) {}

  /** Opens one send: a stream of exactly one reply per plant in `tasks`. */
  open(tasks: ReadonlyMap<string, TaskMessage>, options: SendOptions): AsyncIterable<PlantReply> {
    for (const [plantId, task] of tasks) {
      if (this.open_.has(keyOf(plantId, task))) {
        throw new RangeError(`Inbox.open: plant '${plantId}' already has an open '${task.kind}' task for run '${task.runId}' round ${task.round}`);
      }
    }
    const stream = new ReplyStream(tasks, options, (key) => this.open_.delete(key));
    for (const [plantId, task] of tasks) this.open_.set(keyOf(plantId, task), stream);
    stream.start();
    return stream;
  }

  /** Routes a reply received from the authenticated `senderId`. */
  submit(senderId: string, reply: PlantReply): Verdict {
    const reject = (code: 'PLANT_IDENTITY_MISMATCH' | 'ROUND_STALE' | 'DUPLICATE_SUBMISSION', message: string): Verdict => {
      const error = new CrucibleError(code, message, { plantId: senderId, round: reply.round, kind: reply.kind });
      this.events.emit({ type: 'reply-rejected', plantId: senderId, round: reply.round, code, message });
      return { accepted: false, error };
    };
    if (reply.plantId !== senderId) {
      return reject('PLANT_IDENTITY_MISMATCH', `plant '${senderId}' submitted a reply claiming to be '${reply.plantId}'`);
    }
    const key = keyOf(senderId, reply);
    const stream = this.open_.get(key);
    if (stream === undefined) {
      // A reply for another round than the one the plant is working on is stale, even if it was
      // already answered; a repeat of the answer to the open round is a duplicate.
      if (this.answered.has(key) && !this.hasOpenOtherRound(senderId, reply)) {
        return reject('DUPLICATE_SUBMISSION', `plant '${senderId}' already answered '${reply.kind}' of round ${reply.round} (run '${reply.runId}')`);
      }
      return reject('ROUND_STALE', `plant '${senderId}' has no open '${reply.kind}' task for round ${reply.round} of run '${reply.runId}'`);
    }
    this.remember(key);
    stream.deliver(key, reply);
    return { accepted: true };
  }

  /** A plant went away: its open tasks end with PLANT_DISCONNECTED failures. */
  dropPlant(plantId: string): void {
    for (const [key, stream] of [...this.open_]) {
      if (key.startsWith(`${plantId}\u0000`)) stream.fail(key, 'PLANT_DISCONNECTED', `plant '${plantId}' disconnected with its task open`);
    }
  }

  /** Ends every open send (grid shutdown). */
  closeAll(): void {
    for (const [key, stream] of [...this.open_]) stream.fail(key, 'PLANT_DISCONNECTED', 'the grid was closed');
  }

  private hasOpenOtherRound(plantId: string, reply: PlantReply): boolean {
    const prefix = `${plantId}\u0000${reply.runId}\u0000`;
    const suffix = `\u0000${reply.kind}`;
    for (const key of this.open_.keys()) if (key.startsWith(prefix) && key.endsWith(suffix)) return true;
    return false;
  }

  private remember(key: string): void {
    this.answered.add(key);
    if (this.answered.size > answeredMemory) {
      const oldest = this.answered.values().next().value;
      if (oldest !== undefined) this.answered.delete(oldest);
    }
  }
}

/** One send's replies as an async iterable. */
class ReplyStream implements AsyncIterable<PlantReply> {
  private readonly pending = new Map<string, { plantId: string; task: TaskMessage }>();
  private readonly queue: PlantReply[] = [];
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = (): void => this.expireAll('the send was aborted');

  constructor(
    tasks: ReadonlyMap<string, TaskMessage>,
    private readonly options: SendOptions,
    private readonly release: (key: string) => void,
  ) {
    for (const [plantId, task] of tasks) this.pending.set(keyOf(plantId, task), { plantId, task });
  }

  start(): void {
    if (this.pending.size === 0) return;
    this.timer = setTimeout(() => this.expireAll(`no answer within ${this.options.timeoutMs} ms`), this.options.timeoutMs);
    if (this.options.signal?.aborted) this.expireAll('the send was aborted');
    else this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  deliver(key: string, reply: PlantReply): void {
    if (!this.pending.delete(key)) return;
    this.release(key);
    this.push(reply);
  }

  fail(key: string, code: 'PLANT_TIMEOUT' | 'PLANT_DISCONNECTED', message: string): void {
    const entry = this.pending.get(key);
    if (entry === undefined) return;
    this.pending.delete(key);
    this.release(key);
    this.push(failureReply(entry.task, entry.plantId, { code, message }));
  }

  private expireAll(message: string): void {
    for (const key of [...this.pending.keys()]) this.fail(key, 'PLANT_TIMEOUT', message);
  }

  private push(reply: PlantReply): void {
    this.queue.push(reply);
    if (this.pending.size === 0) this.finish();
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private finish(): void {
    clearTimeout(this.timer);
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<PlantReply> {
    try {
      for (;;) {
        const next = this.queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        if (this.pending.size === 0) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      // A consumer that stops early (straggler policy) must not leave tasks open forever.
      this.expireAll('the coordinator stopped waiting');
      this.queue.length = 0;
    }
  }
}
