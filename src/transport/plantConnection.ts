/**
 * The plant side of the gRPC transport: dials the coordinator (outbound only), registers, receives
 * tasks on a stream (or by long polling), runs each through the plant's pipeline (`PlantHandler` from
 * `createPlant`) and uploads the reply. When the coordinator is unreachable or restarts, it reconnects
 * with capped exponential backoff and full jitter (Brooker, "Exponential Backoff and Jitter", 2015); a
 * restarted plant process simply connects again and is sent the next task.
 *
 * @example
 * const plant = createPlant({ plantId: 'plant-a', data, model });
 * const connection = connectPlant(plant.handle, { address: 'coord.example:7443', token, security: { kind: 'tls', caCertPem, certPem, keyPem } });
 * await connection.closed; // runs until close() or the signal aborts
 */
import * as grpc from '@grpc/grpc-js';
import { isCrucibleError } from '../errors.js';
import { failureReply, type PlantReply } from '../federation/messages.js';
import type { PlantHandler } from '../federation/plant.js';
import { crucibleService, errorCodeTrailer } from './service.js';
import { decodeTask, encodeResult, protocolVersion } from './wire.js';

/** How the plant secures its connection. */
export type ClientSecurity =
  | {
      readonly kind: 'tls';
      /** The federation CA (verifies the coordinator). */
      readonly caCertPem: string;
      /** The plant's client certificate and key (mTLS). */
      readonly certPem?: string;
      readonly keyPem?: string;
      /** Name to verify in the coordinator's certificate when it differs from the address host. */
      readonly serverName?: string;
    }
  | { readonly kind: 'insecure' };

/** What the connection reports (for logs and `crucible plant`'s output). */
export type PlantConnectionEvent =
  | { readonly type: 'registered'; readonly plantId: string }
  | { readonly type: 'disconnected'; readonly reason: string; readonly retryInMs: number }
  /** The coordinator refused the credential (unknown, revoked, mismatched): the connection stops. */
  | { readonly type: 'refused'; readonly code: string; readonly message: string }
  | { readonly type: 'task-received'; readonly kind: string; readonly round: number }
  | { readonly type: 'result-submitted'; readonly kind: string; readonly round: number; readonly ok: boolean }
  | { readonly type: 'result-rejected'; readonly kind: string; readonly round: number; readonly code: string; readonly message: string };

export interface PlantConnectionOptions {
  /** `host:port` of the coordinator. */
  readonly address: string;
  /** The plant's bearer token from `crucible enroll` (`<plantId>.<secret>`). */
  readonly token: string;
  readonly security: ClientSecurity;
  /** 'stream' (default) or 'poll' (for proxies that cut long-lived streams). */
  readonly mode?: 'stream' | 'poll';
  /** First reconnect delay. Default 200 ms. */
  readonly initialBackoffMs?: number;
  /** Largest reconnect delay. Default 10 000 ms. */
  readonly maxBackoffMs?: number;
  /** Largest message accepted from the coordinator. Default 256 MiB. */
  readonly maxReceiveBytes?: number;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: PlantConnectionEvent) => void;
}

export interface PlantConnection {
  /** Resolves when the connection was closed for good. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** Connects a plant pipeline to a coordinator and keeps it connected until closed. */
export function connectPlant(handle: PlantHandler, options: PlantConnectionOptions): PlantConnection {
  const { Client } = crucibleService();
  const channelCredentials =
    options.security.kind === 'tls'
      ? grpc.credentials.createSsl(
          Buffer.from(options.security.caCertPem),
          options.security.keyPem === undefined ? null : Buffer.from(options.security.keyPem),
          options.security.certPem === undefined ? null : Buffer.from(options.security.certPem),
        )
      : grpc.credentials.createInsecure();
  const channelOptions: Record<string, string | number> = {
    'grpc.max_receive_message_length': options.maxReceiveBytes ?? 256 * 1024 * 1024,
    'grpc.max_send_message_length': -1,
    'grpc.keepalive_time_ms': 10_000,
    'grpc.keepalive_timeout_ms': 5_000,
    'grpc.initial_reconnect_backoff_ms': 100,
    'grpc.max_reconnect_backoff_ms': options.maxBackoffMs ?? 10_000,
  };
  if (options.security.kind === 'tls' && options.security.serverName !== undefined) {
    channelOptions['grpc.ssl_target_name_override'] = options.security.serverName;
  }
  const client = new Client(options.address, channelCredentials, channelOptions) as unknown as CoordinatorClient;
  const metadata = (): grpc.Metadata => {
    const m = new grpc.Metadata();
    m.set('authorization', `Bearer ${options.token}`);
    return m;
  };
  const emit = options.onEvent ?? (() => {});
  const abort = new AbortController();
  options.signal?.addEventListener('abort', () => abort.abort(), { once: true });
  let busyTaskId = '';

  const unary = <T>(method: keyof CoordinatorClient, request: object, timeoutMs = 30_000): Promise<T> =>
    new Promise((resolve, reject) => {
      const call = (client[method] as UnaryMethod)(request, metadata(), { deadline: Date.now() + timeoutMs }, (error, value) => {
        abort.signal.removeEventListener('abort', cancel);
        if (error === null) resolve(value as T);
        else reject(error);
      });
      // Closing must not wait out a long poll or a slow upload.
      const cancel = (): void => call.cancel();
      abort.signal.addEventListener('abort', cancel, { once: true });
    });

  /** Runs one task and uploads its reply; never throws (a failed upload is reported and dropped). */
  const runTask = async (wire: unknown): Promise<void> => {
    let taskId = '';
    let reply: PlantReply;
    try {
      const decoded = decodeTask(wire);
      taskId = decoded.taskId;
      busyTaskId = taskId;
      emit({ type: 'task-received', kind: decoded.task.kind, round: decoded.task.round });
      try {
        reply = await handle(decoded.task);
      } catch (e) {
        reply = failureReply(decoded.task, plantIdOf(options.token), { code: 'PLANT_TASK_FAILED', message: e instanceof Error ? e.message : String(e) });
      }
    } catch (e) {
      // An undecodable task cannot be answered properly: report it to the coordinator if its header is readable.
      const w = (wire ?? {}) as Record<string, unknown>;
      if (typeof w.task_id !== 'string' || typeof w.kind !== 'string' || typeof w.run_id !== 'string' || typeof w.round !== 'number') return;
      taskId = w.task_id;
      const code = isCrucibleError(e) ? e.code : 'MESSAGE_MALFORMED';
      reply = failureReply({ kind: w.kind, runId: w.run_id, round: w.round }, plantIdOf(options.token), { code, message: (e as Error).message });
    } finally {
      busyTaskId = '';
    }
    const method = reply.kind === 'fit' ? 'SubmitFitResult' : reply.kind === 'evaluate' ? 'SubmitEvaluateResult' : 'SubmitResult';
    const request = encodeResult(taskId, reply);
    // Retry uploads through a coordinator restart; give up once the coordinator calls the result stale.
    for (let attempt = 0; !abort.signal.aborted; attempt++) {
      try {
        await unary(method, request, 60_000);
        emit({ type: 'result-submitted', kind: reply.kind, round: reply.round, ok: reply.ok });
        return;
      } catch (e) {
        const error = e as grpc.ServiceError;
        if (error.code === grpc.status.UNAVAILABLE && attempt < 8) {
          await sleep(backoffMs(attempt, options), abort.signal);
          continue;
        }
        const code = String(error.metadata?.get(errorCodeTrailer)[0] ?? grpc.status[error.code]);
        emit({ type: 'result-rejected', kind: reply.kind, round: reply.round, code, message: error.details ?? error.message });
        return;
      }
    }
  };

  const session = async (onRegistered: () => void): Promise<void> => {
    const registered = await unary<{ plant_id: string; heartbeat_interval_ms: number }>('Register', { protocol_version: protocolVersion, agent: `crucible-node/${process.version}` });
    onRegistered();
    emit({ type: 'registered', plantId: registered.plant_id });
    const heartbeat = setInterval(
      () => void unary('Heartbeat', { protocol_version: protocolVersion, busy_task_id: busyTaskId }, 10_000).catch(() => {}),
      Math.max(100, registered.heartbeat_interval_ms || 5000),
    );
    // Tasks run one after another in arrival order; reading the stream never waits for training.
    let chain = Promise.resolve();
    try {
      if ((options.mode ?? 'stream') === 'poll') {
        while (!abort.signal.aborted) {
          const polled = await unary<{ task?: unknown }>('PollTask', { protocol_version: protocolVersion, wait_ms: 20_000 }, 30_000);
          if (polled.task !== undefined && polled.task !== null) chain = chain.then(() => runTask(polled.task));
        }
      } else {
        await new Promise<void>((resolve, reject) => {
          const call = client.StreamTasks({ protocol_version: protocolVersion }, metadata());
          const stop = (): void => call.cancel();
          abort.signal.addEventListener('abort', stop, { once: true });
          call.on('data', (task: unknown) => (chain = chain.then(() => runTask(task))));
          call.on('error', (e: Error) => {
            abort.signal.removeEventListener('abort', stop);
            reject(e);
          });
          call.on('end', () => {
            abort.signal.removeEventListener('abort', stop);
            resolve();
          });
        });
      }
    } finally {
      clearInterval(heartbeat);
      // On reconnect finish the task at hand first; on close do not wait for a long local training.
      if (!abort.signal.aborted) await chain;
    }
  };

  const loop = async (): Promise<void> => {
    let attempt = 0;
    while (!abort.signal.aborted) {
      let reason = 'the coordinator ended the task stream';
      try {
        await session(() => (attempt = 0));
      } catch (e) {
        const error = e as grpc.ServiceError;
        reason = error.details || error.message;
        const code = error.metadata?.get(errorCodeTrailer)?.[0];
        if (code === 'PLANT_REVOKED' || code === 'PLANT_UNAUTHENTICATED' || code === 'PLANT_IDENTITY_MISMATCH') {
          // Retrying cannot help until an operator re-enrolls the plant.
          emit({ type: 'refused', code, message: reason });
          break;
        }
      }
      if (abort.signal.aborted) break;
      const retryInMs = backoffMs(attempt++, options);
      emit({ type: 'disconnected', reason, retryInMs });
      await sleep(retryInMs, abort.signal);
    }
    client.close();
  };

  const closed = loop();
  return {
    closed,
    async close() {
      abort.abort();
      await closed;
    },
  };
}

/** Capped exponential backoff with full jitter. */
function backoffMs(attempt: number, options: PlantConnectionOptions): number {
  const cap = options.maxBackoffMs ?? 10_000;
  const base = options.initialBackoffMs ?? 200;
  return Math.round(Math.random() * Math.min(cap, base * 2 ** Math.min(attempt, 20)));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function plantIdOf(token: string): string {
  return token.split('.')[0] ?? '';
}

type UnaryMethod = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, value?: unknown) => void,
) => grpc.ClientUnaryCall;

interface CoordinatorClient {
  Register: UnaryMethod;
  PollTask: UnaryMethod;
  SubmitFitResult: UnaryMethod;
  SubmitEvaluateResult: UnaryMethod;
  SubmitResult: UnaryMethod;
  Heartbeat: UnaryMethod;
  StreamTasks(request: object, metadata: grpc.Metadata): grpc.ClientReadableStream<unknown>;
  close(): void;
}
