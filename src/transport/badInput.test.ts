import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import type { GridEvent } from '../federation/grid.js';
import type { PlantReply, TaskMessage } from '../federation/messages.js';
import { encodeVector } from './codec.js';
import type { TransportLogEntry } from './grpcGrid.js';
import { crucibleService } from './service.js';
import { startLoopback, type Loopback } from './test-support/loopback.js';
import { encodeResult, type WireResult } from './wire.js';

const maxMessageBytes = 4096;
const parameters = Float64Array.of(1, 2, 3);

function fitTask(round: number): TaskMessage {
  return { kind: 'fit', runId: 'bad', round, config: {}, arrays: { parameters } };
}

async function collect(it: AsyncIterable<PlantReply>): Promise<Map<string, PlantReply>> {
  const out = new Map<string, PlantReply>();
  for await (const r of it) out.set(r.plantId, r);
  return out;
}

/** A valid result of the hand-driven plant for `task`, then mutated by the case. */
function validResult(task: Record<string, unknown>): WireResult {
  return encodeResult(String(task.task_id), {
    ok: true, kind: 'fit', runId: String(task.run_id), round: Number(task.round), plantId: 'plant-evil',
    numExamples: 5, metrics: { trainLoss: 0.1 }, arrays: { update: Float64Array.of(0.1, 0.2, 0.3) },
  });
}

interface Case {
  name: string;
  mutate(r: WireResult): WireResult;
  method?: string;
  /** Code returned to the plant. */
  code: string;
  /** What the round records for the hand-driven plant. */
  recorded: string;
}

const cases: Case[] = [
  { name: 'a truncated update', mutate: (r) => ({ ...r, arrays: { update: { ...r.arrays.update, data: r.arrays.update.data.subarray(0, 17) } } }), code: 'MESSAGE_MALFORMED', recorded: 'MESSAGE_MALFORMED' },
  {
    name: 'an update corrupted in transit',
    mutate: (r) => {
      const data = Uint8Array.from(r.arrays.update.data);
      data[3] ^= 0x40;
      return { ...r, arrays: { update: { ...r.arrays.update, data } } };
    },
    code: 'MESSAGE_MALFORMED', recorded: 'MESSAGE_MALFORMED',
  },
  { name: 'a NaN update', mutate: (r) => ({ ...r, arrays: { update: encodeVector(Float64Array.of(0, NaN, 0)) } }), code: 'UPDATE_REJECTED', recorded: 'UPDATE_REJECTED' },
  { name: 'an infinite update', mutate: (r) => ({ ...r, arrays: { update: encodeVector(Float64Array.of(0, 0, -Infinity)) } }), code: 'UPDATE_REJECTED', recorded: 'UPDATE_REJECTED' },
  { name: 'an update of the wrong length', mutate: (r) => ({ ...r, arrays: { update: encodeVector(Float64Array.of(1, 2)) } }), code: 'UPDATE_REJECTED', recorded: 'UPDATE_REJECTED' },
  { name: 'an update over the size limit', mutate: (r) => ({ ...r, arrays: { update: encodeVector(new Float64Array(1000)) } }), code: 'MESSAGE_TOO_LARGE', recorded: 'MESSAGE_TOO_LARGE' },
  { name: 'a message over the gRPC receive limit', mutate: (r) => ({ ...r, blobs: { pad: new Uint8Array((1 << 20) + maxMessageBytes + 10) } }), code: 'GRPC_RESOURCE_EXHAUSTED', recorded: 'PLANT_TIMEOUT' },
  { name: 'a result claiming another plant', mutate: (r) => ({ ...r, plant_id: 'plant-a' }), code: 'PLANT_IDENTITY_MISMATCH', recorded: 'PLANT_TIMEOUT' },
  { name: 'a result for a stale round', mutate: (r) => ({ ...r, round: r.round - 1 }), code: 'ROUND_STALE', recorded: 'PLANT_TIMEOUT' },
  { name: 'an evaluate result sent as a fit result', mutate: (r) => ({ ...r, kind: 'evaluate' }), code: 'MESSAGE_MALFORMED', recorded: 'PLANT_TIMEOUT' },
  { name: 'a failure with an unknown code', mutate: (r) => ({ ...r, ok: false, failure: { code: 'BOGUS', message: 'x' } }), code: 'MESSAGE_MALFORMED', recorded: 'MESSAGE_MALFORMED' },
];

describe('bad input from a plant is rejected with a named code and the round goes on', () => {
  let lb: Loopback;
  let evil: ReturnType<Loopback['openStream']>;
  const events: GridEvent[] = [];
  const log: TransportLogEntry[] = [];
  let round = 0;

  before(async () => {
    lb = await startLoopback({ grid: { maxMessageBytes, log: (e) => log.push(e) } });
    lb.connect('plant-a', async (task) => ({
      ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId: 'plant-a', numExamples: 3, metrics: {}, arrays: { update: new Float64Array(3) },
    }));
    evil = lb.openStream('plant-evil');
    await lb.grid.waitForPlants(2, { timeoutMs: 5000 });
    lb.grid.onEvent((e) => events.push(e));
  });
  after(() => lb.close());

  for (const c of cases) {
    it(`${c.name}: ${c.code}`, async () => {
      round++;
      const replies = collect(lb.grid.send(['plant-a', 'plant-evil'], fitTask(round), { timeoutMs: 1000 }));
      const task = await evil.next();
      const answer = await lb.raw(c.method ?? 'SubmitFitResult', c.mutate(validResult(task)), { plantId: 'plant-evil' });
      assert.equal(answer.code, c.code, String(answer.value));
      const got = await replies;
      assert.equal(got.get('plant-a')?.ok, true, 'the honest plant is still aggregated');
      const recorded = got.get('plant-evil');
      assert.ok(recorded !== undefined && !recorded.ok);
      assert.equal(recorded.failure.code, c.recorded);
      if (!c.code.startsWith('GRPC_')) {
        assert.ok(events.some((e) => e.type === 'reply-rejected' && e.plantId === 'plant-evil' && e.code === c.code), `no reply-rejected event for ${c.code}`);
        assert.ok(log.some((l) => l.level === 'warn' && l.code === c.code), `nothing logged for ${c.code}`);
      }
    });
  }

  it('a second submission for the same task: DUPLICATE_SUBMISSION', async () => {
    round++;
    const replies = collect(lb.grid.send(['plant-evil'], fitTask(round), { timeoutMs: 2000 }));
    const task = await evil.next();
    assert.equal((await lb.raw('SubmitFitResult', validResult(task), { plantId: 'plant-evil' })).code, 'OK');
    assert.equal((await lb.raw('SubmitFitResult', validResult(task), { plantId: 'plant-evil' })).code, 'DUPLICATE_SUBMISSION');
    const got = await replies;
    assert.deepEqual([...(got.get('plant-evil') as unknown as { arrays: { update: Float64Array } }).arrays.update], [0.1, 0.2, 0.3]);
  });

  it('random protobuf bytes on every method never crash the coordinator', async () => {
    const { Client } = crucibleService();
    const client = new Client(lb.address, grpc.credentials.createInsecure());
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${lb.tokens.get('plant-evil')}`);
    const methods = ['Register', 'PollTask', 'SubmitFitResult', 'SubmitEvaluateResult', 'SubmitResult', 'Heartbeat'];
    const call = (method: string, payload: Uint8Array): Promise<number> =>
      new Promise((resolve) =>
        client.makeUnaryRequest(`/crucible.v1.Coordinator/${method}`, (b: Buffer) => b, (b: Buffer) => b, Buffer.from(payload), metadata, { deadline: Date.now() + 5000 }, (e) =>
          resolve(e === null ? 0 : e.code),
        ),
      );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), fc.uint8Array({ maxLength: 300 }), async (method, payload) => {
        const code = await call(method === 'PollTask' ? 'Heartbeat' : method, payload);
        assert.notEqual(code, grpc.status.UNAVAILABLE, 'the server went away');
      }),
      { numRuns: 150 },
    );
    client.close();
    // Garbage that is not even HTTP/2 on the same port.
    await new Promise<void>((resolve) => {
      const socket = connect(lb.grid.port, '127.0.0.1', () => socket.write(Buffer.from('GET / HTTP/1.1\r\n\r\n\u0000\u00ff garbage')));
      socket.on('error', () => {});
      setTimeout(() => {
        socket.destroy();
        resolve();
      }, 200);
    });
    assert.equal((await lb.raw('Register', { protocol_version: 1 }, { plantId: 'plant-a' })).code, 'OK');
  });
});
