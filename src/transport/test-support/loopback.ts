/**
 * Test support: a GrpcGrid on 127.0.0.1 (ephemeral port) with enrolled plants connected through
 * real gRPC clients, and a raw client to inject arbitrary uploads.
 */
import * as grpc from '@grpc/grpc-js';
import { CrucibleError, type ErrorCode } from '../../errors.js';
import type { Verdict } from '../../federation/inbox.js';
import type { PlantReply } from '../../federation/messages.js';
import type { PlantHandler } from '../../federation/plant.js';
import { CrucibleStore } from '../../store/store.js';
import { issuePlantToken, registryAuthenticator } from '../credentials.js';
import { GrpcGrid, type GrpcGridOptions, type ServerSecurity } from '../grpcGrid.js';
import { connectPlant, type ClientSecurity, type PlantConnection } from '../plantConnection.js';
import { crucibleService, errorCodeTrailer } from '../service.js';
import { encodeResult } from '../wire.js';

export interface Loopback {
  grid: GrpcGrid;
  store: CrucibleStore;
  address: string;
  tokens: Map<string, string>;
  connections: Map<string, PlantConnection>;
  /** Enrolls a plant (new token) and returns its token. */
  enroll(plantId: string): string;
  connect(plantId: string, handle: PlantHandler, options?: { mode?: 'stream' | 'poll'; security?: ClientSecurity }): PlantConnection;
  /** Calls `method` with a raw request object as `plantId` (or with `authorization` as given). */
  raw(method: string, request: object, auth: { plantId?: string; authorization?: string; security?: ClientSecurity }): Promise<{ code: ErrorCode | 'OK'; value?: unknown }>;
  submitAs(senderId: string, reply: PlantReply): Promise<Verdict>;
  /** Opens a bare task stream as `plantId` (a hand-driven plant): `next()` resolves with each raw task. */
  openStream(plantId: string): { next(): Promise<Record<string, unknown>>; cancel(): void };
  close(): Promise<void>;
}

export async function startLoopback(
  options: { security?: ServerSecurity; clientSecurity?: (plantId: string) => ClientSecurity; grid?: Partial<GrpcGridOptions> } = {},
): Promise<Loopback> {
  const store = CrucibleStore.open(':memory:');
  const security = options.security ?? { kind: 'insecure' };
  const grid = await GrpcGrid.listen({
    security,
    authenticator: registryAuthenticator(store.plants, { requireClientCertificate: security.kind === 'tls' }),
    ...options.grid,
  });
  const address = `127.0.0.1:${grid.port}`;
  const tokens = new Map<string, string>();
  const connections = new Map<string, PlantConnection>();
  const clientSecurity = (plantId: string): ClientSecurity => options.clientSecurity?.(plantId) ?? { kind: 'insecure' };
  const rawClients: grpc.Client[] = [];
  const lb: Loopback = {
    grid,
    store,
    address,
    tokens,
    connections,
    enroll(plantId) {
      const { token, tokenHash } = issuePlantToken(plantId);
      store.plants.enroll(plantId, { tokenHash });
      tokens.set(plantId, token);
      return token;
    },
    connect(plantId, handle, connectOptions = {}) {
      const token = tokens.get(plantId) ?? lb.enroll(plantId);
      const connection = connectPlant(handle, {
        address,
        token,
        security: connectOptions.security ?? clientSecurity(plantId),
        mode: connectOptions.mode,
        initialBackoffMs: 50,
        maxBackoffMs: 500,
      });
      connections.set(plantId, connection);
      return connection;
    },
    async raw(method, request, auth) {
      const { Client } = crucibleService();
      const security = auth.security ?? (auth.plantId === undefined ? { kind: 'insecure' as const } : clientSecurity(auth.plantId));
      const creds =
        security.kind === 'tls'
          ? grpc.credentials.createSsl(Buffer.from(security.caCertPem), security.keyPem ? Buffer.from(security.keyPem) : null, security.certPem ? Buffer.from(security.certPem) : null)
          : grpc.credentials.createInsecure();
      const client = new Client(address, creds);
      rawClients.push(client);
      const metadata = new grpc.Metadata();
      const authorization = auth.authorization ?? (auth.plantId === undefined ? undefined : `Bearer ${tokens.get(auth.plantId)}`);
      if (authorization !== undefined) metadata.set('authorization', authorization);
      const call = (client as unknown as Record<string, Function>)[method].bind(client);
      return new Promise((resolve) =>
        call(request, metadata, { deadline: Date.now() + 10_000 }, (error: grpc.ServiceError | null, value: unknown) => {
          if (error === null) return resolve({ code: 'OK', value });
          const code = error.metadata?.get(errorCodeTrailer)[0];
          resolve({ code: (typeof code === 'string' ? code : `GRPC_${grpc.status[error.code]}`) as ErrorCode, value: error.details });
        }),
      );
    },
    async submitAs(senderId, reply) {
      const method = reply.kind === 'fit' ? 'SubmitFitResult' : reply.kind === 'evaluate' ? 'SubmitEvaluateResult' : 'SubmitResult';
      const result = await lb.raw(method, encodeResult('injected', reply), { plantId: senderId });
      return result.code === 'OK' ? { accepted: true } : { accepted: false, error: new CrucibleError(result.code as ErrorCode, String(result.value)) };
    },
    openStream(plantId) {
      const { Client } = crucibleService();
      const security = clientSecurity(plantId);
      const creds =
        security.kind === 'tls'
          ? grpc.credentials.createSsl(Buffer.from(security.caCertPem), security.keyPem ? Buffer.from(security.keyPem) : null, security.certPem ? Buffer.from(security.certPem) : null)
          : grpc.credentials.createInsecure();
      const client = new Client(address, creds);
      rawClients.push(client);
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${tokens.get(plantId) ?? lb.enroll(plantId)}`);
      const call = (client as unknown as { StreamTasks(r: object, m: grpc.Metadata): grpc.ClientReadableStream<Record<string, unknown>> }).StreamTasks({}, metadata);
      const queue: Record<string, unknown>[] = [];
      const waiting: ((t: Record<string, unknown>) => void)[] = [];
      call.on('data', (t: Record<string, unknown>) => {
        const w = waiting.shift();
        if (w !== undefined) w(t);
        else queue.push(t);
      });
      call.on('error', () => {});
      return {
        next: () => {
          const t = queue.shift();
          return t !== undefined ? Promise.resolve(t) : new Promise((resolve) => waiting.push(resolve));
        },
        cancel: () => call.cancel(),
      };
    },
    async close() {
      await Promise.all([...connections.values()].map((c) => c.close()));
      for (const c of rawClients) c.close();
      await grid.close();
      store.close();
    },
  };
  return lb;
}
