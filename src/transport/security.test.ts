import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PlantReply, TaskMessage } from '../federation/messages.js';
import type { PlantConnectionEvent } from './plantConnection.js';
import { createCertificateAuthority, issueCertificate, type IssuedCertificate, type PemPair } from './pki.js';
import { startLoopback, type Loopback } from './test-support/loopback.js';

const echo =
  (plantId: string) =>
  async (task: TaskMessage): Promise<PlantReply> => ({
    ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId, numExamples: 1, metrics: {}, arrays: { update: new Float64Array(task.arrays.parameters?.length ?? 0) },
  });

function fitTask(round: number): TaskMessage {
  return { kind: 'fit', runId: 'sec', round, config: {}, arrays: { parameters: Float64Array.of(1, 2, 3) } };
}

async function collect(it: AsyncIterable<PlantReply>): Promise<PlantReply[]> {
  const out: PlantReply[] = [];
  for await (const r of it) out.push(r);
  return out;
}

function waitForEvent(events: PlantConnectionEvent[], type: PlantConnectionEvent['type'], timeoutMs = 5000): Promise<PlantConnectionEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const e = events.find((x) => x.type === type);
      if (e !== undefined) {
        clearInterval(poll);
        resolve(e);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`no '${type}' event in ${timeoutMs} ms; saw ${events.map((x) => x.type).join(', ')}`));
      }
    }, 20);
  });
}

describe('a coordinator with TLS and client certificates', () => {
  let ca: PemPair;
  let certs: Map<string, IssuedCertificate>;
  let lb: Loopback;

  before(async () => {
    ca = createCertificateAuthority({ commonName: 'test CA' });
    const server = issueCertificate(ca, { commonName: 'coordinator', usage: 'server', hosts: ['localhost', '127.0.0.1'] });
    certs = new Map(['plant-a', 'plant-b', 'plant-c'].map((id) => [id, issueCertificate(ca, { commonName: id, usage: 'client' })]));
    lb = await startLoopback({
      security: { kind: 'tls', caCertPem: ca.certPem, certPem: server.certPem, keyPem: server.keyPem },
      clientSecurity: (id) => ({ kind: 'tls', caCertPem: ca.certPem, certPem: certs.get(id)?.certPem, keyPem: certs.get(id)?.keyPem }),
      grid: { heartbeatIntervalMs: 200 },
    });
    for (const id of certs.keys()) lb.enroll(id);
  });
  after(() => lb.close());

  it('serves an enrolled plant over mutual TLS, bit-exact', async () => {
    lb.connect('plant-a', echo('plant-a'));
    await lb.grid.waitForPlants(1, { timeoutMs: 5000 });
    const [reply] = await collect(lb.grid.send(['plant-a'], fitTask(1), { timeoutMs: 5000 }));
    assert.ok(reply.ok, JSON.stringify(reply));
    assert.deepEqual([...reply.arrays.update!], [0, 0, 0]);
  });

  it('refuses a plaintext client and a client without a certificate', async () => {
    const plaintext = await lb.raw('Register', { protocol_version: 1 }, { plantId: 'plant-b', security: { kind: 'insecure' } });
    assert.equal(plaintext.code, 'GRPC_UNAVAILABLE');
    const noCert = await lb.raw('Register', { protocol_version: 1 }, { plantId: 'plant-b', security: { kind: 'tls', caCertPem: ca.certPem } });
    assert.equal(noCert.code, 'GRPC_UNAVAILABLE');
  });

  it('refuses unknown plants, missing tokens and wrong secrets as PLANT_UNAUTHENTICATED', async () => {
    const tls = { kind: 'tls' as const, caCertPem: ca.certPem, certPem: certs.get('plant-b')!.certPem, keyPem: certs.get('plant-b')!.keyPem };
    assert.equal((await lb.raw('Register', {}, { security: tls })).code, 'PLANT_UNAUTHENTICATED');
    const forged = `Bearer plant-b.${'A'.repeat(43)}`;
    assert.equal((await lb.raw('Register', {}, { security: tls, authorization: forged })).code, 'PLANT_UNAUTHENTICATED');
    assert.equal((await lb.raw('Register', {}, { security: tls, authorization: `Bearer plant-z.${'A'.repeat(43)}` })).code, 'PLANT_UNAUTHENTICATED');
    const ok = await lb.raw('Register', { protocol_version: 1 }, { plantId: 'plant-b' });
    assert.equal(ok.code, 'OK');
    assert.equal((ok.value as { plant_id: string }).plant_id, 'plant-b');
  });

  it("refuses one plant's token with another plant's certificate as PLANT_IDENTITY_MISMATCH", async () => {
    const certOfC = { kind: 'tls' as const, caCertPem: ca.certPem, certPem: certs.get('plant-c')!.certPem, keyPem: certs.get('plant-c')!.keyPem };
    const r = await lb.raw('Register', {}, { security: certOfC, authorization: `Bearer ${lb.tokens.get('plant-b')}` });
    assert.equal(r.code, 'PLANT_IDENTITY_MISMATCH');
  });

  it('cuts off a connected plant when it is revoked and refuses it afterwards', async () => {
    const events: PlantConnectionEvent[] = [];
    const disconnected = new Promise<void>((resolve) => lb.grid.onEvent((e) => e.type === 'plant-disconnected' && e.plantId === 'plant-c' && resolve()));
    const token = lb.tokens.get('plant-c')!;
    const { connectPlant } = await import('./plantConnection.js');
    const c = connectPlant(echo('plant-c'), {
      address: lb.address, token, initialBackoffMs: 20, maxBackoffMs: 100,
      security: { kind: 'tls', caCertPem: ca.certPem, certPem: certs.get('plant-c')!.certPem, keyPem: certs.get('plant-c')!.keyPem },
      onEvent: (e) => events.push(e),
    });
    await waitForEvent(events, 'registered');
    await lb.grid.waitForPlants(2, { timeoutMs: 5000 });
    assert.ok(lb.grid.plants().includes('plant-c'));
    lb.store.plants.revoke('plant-c');
    await disconnected;
    const refused = await waitForEvent(events, 'refused');
    assert.equal(refused.type === 'refused' && refused.code, 'PLANT_REVOKED');
    await c.closed;
    assert.ok(!lb.grid.plants().includes('plant-c'));
  });
});
