/**
 * The coordinator's Grid over gRPC (HTTP/2): plants dial in (outbound only on their side), are
 * authenticated on every call from their credential, receive tasks on a server stream (or by long
 * polling) and upload results, which pass the same `Inbox` rules as the in-memory grid.
 *
 * Bad input never ends a round: an undecodable, oversized, non-finite or wrong-length result is
 * answered with a gRPC error carrying the `crucible-error-code` trailer, logged, reported as a
 * 'reply-rejected' event, and — when it answers an open task of the sender — recorded as that plant's
 * failure so the round goes on with the others.
 *
 * @example
 * const grid = await GrpcGrid.listen({ security: tlsFromFiles(pki), authenticator: registryAuthenticator(store.plants) });
 * console.log(`listening on ${grid.port}`);
 * for await (const round of runFederation(grid, fedAvg(), options)) …
 */
import { randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { CrucibleError, isCrucibleError, type ErrorCode } from '../errors.js';
import type { Grid, GridEvent, SendOptions, WaitOptions } from '../federation/grid.js';
import { GridEvents } from '../federation/grid.js';
import { Inbox } from '../federation/inbox.js';
import { failureReply, type PlantReply, type TaskMessage } from '../federation/messages.js';
import type { CallCredentials, PlantAuthenticator } from './credentials.js';
import { crucibleService, errorCodeTrailer } from './service.js';
import { decodeResult, decodeResultHeader, encodeTask, protocolVersion, type WireTask } from './wire.js';
import { PlantSessions } from './plantSessions.js';
import type { WireVector } from './codec.js';

/** How the coordinator secures its port. */
export type ServerSecurity =
  | {
      readonly kind: 'tls';
      readonly caCertPem: string;
      readonly certPem: string;
      readonly keyPem: string;
      /** Demand a client certificate signed by the CA (mTLS). Default true. */
      readonly requireClientCertificate?: boolean;
    }
  /** Plaintext HTTP/2: tests and loopback only; the bearer token is then readable on the wire. */
  | { readonly kind: 'insecure' };

/** A line for the coordinator's log. */
export interface TransportLogEntry {
  readonly level: 'info' | 'warn';
  readonly message: string;
  readonly code?: ErrorCode;
  readonly plantId?: string;
}

export interface GrpcGridOptions {
  readonly security: ServerSecurity;
  readonly authenticator: PlantAuthenticator;
  /** Interface to bind. Default '127.0.0.1'. */
  readonly host?: string;
  /** Port; 0 picks a free one (see `port`). Default 0. */
  readonly port?: number;
  /** Largest accepted result payload (vector and blob bytes). Default 64 MiB. */
  readonly maxMessageBytes?: number;
  /** Heartbeat interval asked of plants; a plant silent for 3 intervals is disconnected. Default 5000. */
  readonly heartbeatIntervalMs?: number;
  /** Called for every rejected call and connection change. Default: nothing. */
  readonly log?: (entry: TransportLogEntry) => void;
  /** Called on every authenticated call (e.g. to record `last_seen_at`). */
  readonly onPlantSeen?: (plantId: string) => void;
}

type Callback = (error: Partial<grpc.StatusObject> | null, value?: unknown) => void;
type UnaryCall = grpc.ServerUnaryCall<Record<string, unknown>, unknown>;

export class GrpcGrid implements Grid {
  private readonly events = new GridEvents();
  private readonly inbox = new Inbox(this.events);
  private readonly sessions: PlantSessions;
  /** Expected array lengths of results, by task id (from the task's `parameters`). */
  private readonly expectations = new Map<string, { plantId: string; lengths: Record<string, number> }>();
  private readonly maxMessageBytes: number;
  private readonly heartbeatIntervalMs: number;
  private readonly log: (entry: TransportLogEntry) => void;
  /** The credentials each plant's task stream was opened with, re-checked to cut off revoked plants. */
  private readonly streamCredentials = new Map<string, CallCredentials>();
  private readonly recheck: NodeJS.Timeout;
  private closed = false;

  private constructor(
    private readonly server: grpc.Server,
    readonly port: number,
    private readonly options: GrpcGridOptions,
  ) {
    this.maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 5000;
    this.log = options.log ?? (() => {});
    this.sessions = new PlantSessions({
      silenceLimitMs: 3 * this.heartbeatIntervalMs,
      onConnected: (plantId) => {
        this.log({ level: 'info', message: `plant '${plantId}' connected`, plantId });
        this.events.emit({ type: 'plant-connected', plantId });
      },
      onDisconnected: (plantId) => {
        this.log({ level: 'info', message: `plant '${plantId}' disconnected`, plantId });
        this.inbox.dropPlant(plantId);
        this.events.emit({ type: 'plant-disconnected', plantId });
      },
    });
    // A revocation (`crucible enroll --revoke`, possibly from another process) ends an open stream
    // within one heartbeat interval, not only at the plant's next call.
    this.recheck = setInterval(() => this.recheckStreams(), this.heartbeatIntervalMs);
    this.recheck.unref();
  }

  private recheckStreams(): void {
    for (const [plantId, credentials] of this.streamCredentials) {
      try {
        this.options.authenticator.authenticate(credentials);
      } catch (e) {
        this.log({ level: 'warn', code: isCrucibleError(e) ? e.code : undefined, message: `cutting off '${plantId}': ${(e as Error).message}`, plantId });
        this.streamCredentials.delete(plantId);
        this.sessions.kick(plantId);
      }
    }
  }

  /** Starts a coordinator endpoint and resolves once it is listening. */
  static async listen(options: GrpcGridOptions): Promise<GrpcGrid> {
    const maxMessageBytes = options.maxMessageBytes ?? 64 * 1024 * 1024;
    const server = new grpc.Server({
      // Headroom over the payload limit for headers and framing; the explicit check gives the named code.
      'grpc.max_receive_message_length': maxMessageBytes + (1 << 20),
      'grpc.max_send_message_length': -1,
      'grpc.keepalive_time_ms': 10_000,
      'grpc.keepalive_timeout_ms': 5_000,
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.http2.min_ping_interval_without_data_ms': 5_000,
    });
    const credentials =
      options.security.kind === 'tls'
        ? grpc.ServerCredentials.createSsl(
            Buffer.from(options.security.caCertPem),
            [{ private_key: Buffer.from(options.security.keyPem), cert_chain: Buffer.from(options.security.certPem) }],
            options.security.requireClientCertificate ?? true,
          )
        : grpc.ServerCredentials.createInsecure();
    const address = `${options.host ?? '127.0.0.1'}:${options.port ?? 0}`;
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(address, credentials, (error, p) => (error === null ? resolve(p) : reject(error))),
    );
    const grid = new GrpcGrid(server, port, options);
    server.addService(crucibleService().definition, grid.handlers());
    return grid;
  }

  plants(): readonly string[] {
    return this.sessions.connected();
  }

  waitForPlants(min: number, options: WaitOptions): Promise<readonly string[]> {
    return this.sessions.waitFor(min, options, () => this.closed);
  }

  send(plantIds: readonly string[], task: TaskMessage | ((plantId: string) => TaskMessage), options: SendOptions): AsyncIterable<PlantReply> {
    const tasks = new Map<string, TaskMessage>();
    for (const id of plantIds) tasks.set(id, typeof task === 'function' ? task(id) : task);
    const replies = this.inbox.open(tasks, options);
    const deadline = Date.now() + options.timeoutMs;
    // One encoding per distinct task object, and per distinct vector across per-plant tasks:
    // a broadcast of the global model is checksummed and copied once.
    const encoded = new Map<TaskMessage, WireTask>();
    const vectors = new Map<Float64Array, WireVector>();
    for (const [plantId, t] of tasks) {
      let wire = encoded.get(t);
      if (wire === undefined) encoded.set(t, (wire = encodeTask('', t, deadline, vectors)));
      const taskId = randomUUID();
      this.expect(taskId, plantId, t);
      if (!this.sessions.deliver(plantId, { ...wire, task_id: taskId })) {
        queueMicrotask(() => this.inbox.dropPlant(plantId));
      }
    }
    return replies;
  }

  onEvent(listener: (event: GridEvent) => void): () => void {
    return this.events.on(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.recheck);
    this.inbox.closeAll();
    this.sessions.closeAll();
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, 500);
      this.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  private expect(taskId: string, plantId: string, task: TaskMessage): void {
    const n = task.arrays.parameters?.length;
    const lengths: Record<string, number> = n === undefined ? {} : { update: n, controlDelta: n };
    this.expectations.set(taskId, { plantId, lengths });
    if (this.expectations.size > 100_000) {
      const oldest = this.expectations.keys().next().value;
      if (oldest !== undefined) this.expectations.delete(oldest);
    }
  }

  /** The plant behind a call, from its credential; throws PLANT_UNAUTHENTICATED / PLANT_REVOKED / PLANT_IDENTITY_MISMATCH. */
  private authenticate(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): string {
    return this.authenticateWith(this.callCredentials(call));
  }

  private authenticateWith(credentials: CallCredentials): string {
    const plantId = this.options.authenticator.authenticate(credentials);
    this.options.onPlantSeen?.(plantId);
    return plantId;
  }

  private callCredentials(call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>): CallCredentials {
    const auth = call.metadata.get('authorization')[0];
    const credentials: CallCredentials = { authorization: typeof auth === 'string' ? auth : undefined };
    const peer = call.getAuthContext?.()?.sslPeerCertificate;
    if (peer !== undefined && peer !== null && typeof peer.subject?.CN === 'string') {
      credentials.peerCommonName = peer.subject.CN;
      credentials.peerFingerprint = peer.fingerprint256?.replace(/:/g, '').toLowerCase();
    }
    return credentials;
  }

  private reject(error: unknown, plantId: string | undefined, round: number): Partial<grpc.StatusObject> {
    const e = isCrucibleError(error) ? error : new CrucibleError('MESSAGE_MALFORMED', error instanceof Error ? error.message : String(error));
    this.log({ level: 'warn', code: e.code, message: e.message, plantId });
    if (plantId !== undefined && !['ROUND_STALE', 'DUPLICATE_SUBMISSION', 'PLANT_IDENTITY_MISMATCH'].includes(e.code)) {
      // The Inbox already reported its own rejections; report decoding and size failures here.
      this.events.emit({ type: 'reply-rejected', plantId, round, code: e.code, message: e.message });
    }
    const metadata = new grpc.Metadata();
    metadata.set(errorCodeTrailer, e.code);
    return { code: e.grpcStatus as grpc.status, details: `${e.code}: ${e.message}`, metadata };
  }

  private handlers(): grpc.UntypedServiceImplementation {
    const unary =
      (handle: (call: UnaryCall, plantId: string) => unknown) =>
      (call: UnaryCall, callback: Callback): void => {
        let plantId: string | undefined;
        try {
          plantId = this.authenticate(call);
          callback(null, handle(call, plantId));
        } catch (e) {
          const round = typeof call.request?.round === 'number' ? call.request.round : 0;
          callback(this.reject(e, plantId, round));
        }
      };
    return {
      Register: unary((_call, plantId) => ({
        protocol_version: protocolVersion,
        plant_id: plantId,
        max_message_bytes: String(this.maxMessageBytes),
        heartbeat_interval_ms: this.heartbeatIntervalMs,
      })),
      Heartbeat: unary((call, plantId) => {
        this.sessions.heard(plantId, typeof call.request.busy_task_id === 'string' ? call.request.busy_task_id : '');
        return { server_time_unix_ms: String(Date.now()) };
      }),
      StreamTasks: (call: grpc.ServerWritableStream<unknown, unknown>) => {
        let plantId: string;
        const credentials = this.callCredentials(call);
        try {
          plantId = this.authenticateWith(credentials);
        } catch (e) {
          const status = this.reject(e, undefined, 0);
          // grpc-js turns an 'error' on a server stream into the call's final status (with our trailer).
          call.emit('error', Object.assign(new Error(status.details), status));
          return;
        }
        if (this.closed) {
          call.end();
          return;
        }
        this.streamCredentials.set(plantId, credentials);
        this.sessions.attachStream(plantId, call);
      },
      PollTask: (call: UnaryCall, callback: Callback) => {
        let plantId: string;
        try {
          plantId = this.authenticate(call);
        } catch (e) {
          callback(this.reject(e, undefined, 0));
          return;
        }
        const waitMs = Math.min(60_000, Number(call.request.wait_ms) || 0);
        // A polling plant that goes away (closed, killed) cancels its outstanding poll: that is its disconnect.
        let answered = false;
        call.on('cancelled', () => {
          if (!answered) this.sessions.pollCancelled(plantId);
        });
        void this.sessions.poll(plantId, waitMs).then((task) => {
          answered = true;
          callback(null, task === undefined ? {} : { task });
        });
      },
      SubmitFitResult: unary((call, plantId) => this.submit(call.request, plantId, 'fit')),
      SubmitEvaluateResult: unary((call, plantId) => this.submit(call.request, plantId, 'evaluate')),
      SubmitResult: unary((call, plantId) => this.submit(call.request, plantId, undefined)),
    };
  }

  private submit(request: Record<string, unknown>, senderId: string, kind: 'fit' | 'evaluate' | undefined): { accepted: true } {
    this.sessions.heard(senderId, '');
    const header = decodeResultHeader(request);
    this.sessions.answered(senderId, header.taskId);
    if (kind !== undefined && header.kind !== kind) {
      throw new CrucibleError('MESSAGE_MALFORMED', `a '${header.kind}' result was sent to Submit${kind === 'fit' ? 'Fit' : 'Evaluate'}Result`, { plantId: senderId });
    }
    if (kind === undefined && (header.kind === 'fit' || header.kind === 'evaluate')) {
      throw new CrucibleError('MESSAGE_MALFORMED', `a '${header.kind}' result must use its own Submit call`, { plantId: senderId });
    }
    const expectation = this.expectations.get(header.taskId);
    let reply: PlantReply;
    try {
      const payloadBytes = payloadSize(request);
      if (payloadBytes > this.maxMessageBytes) {
        throw new CrucibleError('MESSAGE_TOO_LARGE', `result of ${payloadBytes} payload bytes exceeds the limit of ${this.maxMessageBytes}`, { plantId: senderId, round: header.round });
      }
      reply = decodeResult(request, { expectedLengths: expectation?.plantId === senderId ? expectation.lengths : undefined });
    } catch (e) {
      if (isCrucibleError(e) && header.plantId === senderId) {
        // A broken answer to an open task still answers it: record the failure so the round need not wait.
        const failed = this.inbox.submit(senderId, failureReply(header, senderId, { code: e.code, message: e.message }));
        if (!failed.accepted) throw failed.error;
      }
      throw e;
    }
    const verdict = this.inbox.submit(senderId, reply);
    if (!verdict.accepted) throw verdict.error;
    this.expectations.delete(header.taskId);
    return { accepted: true };
  }
}

/** Bytes of vector data and blobs in a decoded result (the part that can be large). */
function payloadSize(request: Record<string, unknown>): number {
  let total = 0;
  for (const field of ['arrays', 'blobs'] as const) {
    const o = request[field];
    if (o === null || typeof o !== 'object') continue;
    for (const v of Object.values(o as Record<string, unknown>)) {
      if (v instanceof Uint8Array) total += v.length;
      else if (v !== null && typeof v === 'object' && (v as { data?: unknown }).data instanceof Uint8Array) total += (v as { data: Uint8Array }).data.length;
    }
  }
  return total;
}
