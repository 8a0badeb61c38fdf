import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FitTask, PlantReply } from '../../federation/messages.js';
import { Rng } from '../../tensor/rng.js';
import { dpFromTask } from './dpFromTask.js';

const update = new Float64Array([3, 4]); // norm 5
const inner = async (): Promise<PlantReply> => ({ ok: true, kind: 'fit', runId: 'r', round: 2, plantId: 'a', numExamples: 10, metrics: {}, arrays: { update } });
const task = (config: Record<string, number>): FitTask => ({ kind: 'fit', runId: 'r', round: 2, config: { epochs: 1, batchSize: 4, learningRate: 0.1, optimizer: 'sgd', seed: 1, ...config }, arrays: { parameters: new Float64Array(2) } });
const plant = { plantId: 'a', numTrainExamples: 10 };

test('a fit task without DP settings passes through untouched', async () => {
  const reply = await dpFromTask()(inner, plant)(task({}));
  assert.ok(reply.ok);
  assert.equal(reply.arrays.update, update);
});

test('dpClipNorm alone clips the update and reports the unclipped bit', async () => {
  const reply = await dpFromTask()(inner, plant)(task({ dpClipNorm: 1 }));
  assert.ok(reply.ok);
  reply.arrays.update!.forEach((v, i) => assert.ok(Math.abs(v - [0.6, 0.8][i]) < 1e-15, `update[${i}] = ${v}`));
  assert.deepEqual(Array.from(reply.arrays.unclipped!), [0]);
});

test('distributed settings put the clipped update on the integer grid with noise', async () => {
  const g = 2 ** -8;
  const reply = await dpFromTask({ uniform: new Rng(3) })(inner, plant)(task({ dpClipNorm: 1, dpGranularity: g, dpLocalNoiseStdDev: 4 }));
  assert.ok(reply.ok);
  const u = reply.arrays.update!;
  assert.ok(u.every((v) => Number.isInteger(v / g)));
  assert.ok(u.some((v, i) => Math.abs(v - [0.6, 0.8][i]) > g), 'no noise was added');
});

test('a plant refuses, as data, a round asking for less privacy than its floor', async () => {
  const reply = await dpFromTask({ minimumLocalNoiseStdDev: 10, maximumClipNorm: 2 })(inner, plant)(task({ dpClipNorm: 1, dpGranularity: 2 ** -8, dpLocalNoiseStdDev: 4 }));
  assert.ok(!reply.ok);
  assert.equal(reply.failure.code, 'UPDATE_REJECTED');
  assert.match(reply.failure.message, /local noise σ = 4 is below this plant's minimum 10/);
  const wide = await dpFromTask({ maximumClipNorm: 2 })(inner, plant)(task({ dpClipNorm: 5 }));
  assert.ok(!wide.ok && /clip norm 5 exceeds/.test(wide.failure.message));
});
