import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCrucibleError } from '../errors.js';
import type { PlantReply, TaskMessage } from '../federation/messages.js';
import { encodeVector } from './codec.js';
import { decodeResult, decodeTask, encodeResult, encodeTask } from './wire.js';

function rejectsCleanly(decode: () => unknown): void {
  try {
    decode();
  } catch (e) {
    assert.ok(isCrucibleError(e), `non-domain error: ${String(e)}`);
  }
}

const vectorLike = fc.oneof(
  fc.float64Array({ maxLength: 8 }).map((v) => encodeVector(v)),
  fc.record({ length: fc.anything(), data: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.anything()), sha256: fc.uint8Array({ maxLength: 40 }) }),
  fc.anything(),
);
const wireLike = fc.record(
  {
    task_id: fc.oneof(fc.string(), fc.anything()),
    kind: fc.oneof(fc.constantFrom('fit', 'evaluate', 'statistics'), fc.anything()),
    run_id: fc.oneof(fc.string(), fc.anything()),
    round: fc.oneof(fc.nat(), fc.string(), fc.anything()),
    plant_id: fc.oneof(fc.constant('plant-a'), fc.anything()),
    ok: fc.oneof(fc.boolean(), fc.anything()),
    num_examples: fc.oneof(fc.nat(), fc.constant('12'), fc.anything()),
    config_json: fc.oneof(fc.json(), fc.string(), fc.anything()),
    metrics: fc.oneof(fc.dictionary(fc.string(), fc.double()), fc.anything()),
    arrays: fc.oneof(fc.dictionary(fc.string(), vectorLike, { maxKeys: 3 }), fc.anything()),
    blobs: fc.oneof(fc.dictionary(fc.string(), fc.uint8Array({ maxLength: 8 })), fc.anything()),
    failure: fc.oneof(fc.record({ code: fc.oneof(fc.constant('PLANT_TIMEOUT'), fc.string()), message: fc.anything() }), fc.anything()),
  },
  { requiredKeys: [] },
);

test('random message objects fed to decodeTask and decodeResult never crash them', () => {
  fc.assert(
    fc.property(wireLike, (wire) => {
      rejectsCleanly(() => decodeTask(wire));
      rejectsCleanly(() => decodeResult(wire, { expectedLengths: { update: 3 } }));
    }),
    { numRuns: 500 },
  );
});

test('a task and a reply survive the wire mapping', () => {
  const task: TaskMessage = { kind: 'fit', runId: 'r', round: 3, config: { epochs: 2, optimizer: 'sgd', tags: ['a'] }, arrays: { parameters: Float64Array.of(1, -2) }, bytes: { key: Uint8Array.of(9) } };
  const back = decodeTask(encodeTask('t', task, 123));
  assert.deepEqual(back, { taskId: 't', deadlineUnixMs: 123, task: { ...task, arrays: { parameters: Float64Array.of(1, -2) } } });
  const reply: PlantReply = { ok: true, kind: 'fit', runId: 'r', round: 3, plantId: 'p', numExamples: 7, metrics: { trainLoss: 0.5 }, arrays: { update: Float64Array.of(0.25, 0.5) } };
  assert.deepEqual(decodeResult(encodeResult('t', reply), { expectedLengths: { update: 2 } }), reply);
  const failed: PlantReply = { ok: false, kind: 'evaluate', runId: 'r', round: 3, plantId: 'p', failure: { code: 'PLANT_TASK_FAILED', message: 'sensor offline' } };
  assert.deepEqual(decodeResult(encodeResult('t', failed)), failed);
});
