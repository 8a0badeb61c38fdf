import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mlp } from '../../nn/mlp.js';
import { mse } from '../../nn/losses.js';
import { backward } from '../../tensor/autodiff.js';
import { Rng } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import type { PlantReply } from '../../federation/messages.js';
import { BudgetGuard } from './budget.js';
import { trainDpSgd } from './dpSgd.js';
import { dpSgdPlant } from './dpSgdPlant.js';
import { MemoryPrivacyLedger } from './ledger.js';

function data(n: number, seed: number) {
  const rng = new Rng(seed);
  const x = new Tensor(n, 2, rng.fillNormal(new Float64Array(n * 2)));
  const y = new Tensor(n, 1, x.data.filter((_, i) => i % 2 === 0).map((v) => 2 * v + 0.1 * rng.normal()));
  return { x, y };
}

test('without noise, sampling everything and a loose clip, a DP-SGD step is a plain gradient step', () => {
  const { x, y } = data(16, 1);
  const model = new Mlp({ widths: [2, 4, 1], seed: 3 });
  const reference = new Mlp({ widths: [2, 4, 1], seed: 3 });
  reference.parameters.zeroGrad();
  backward(mse(reference.forward(x), y));
  const expected = reference.parameters.values.map((w, i) => w - 0.1 * reference.parameters.grads[i]);
  trainDpSgd(model, x, y, { clipNorm: 1e9, noiseMultiplier: 0, samplingRate: 1, steps: 1, learningRate: 0.1, uniform: new Rng(1) });
  model.parameters.values.forEach((w, i) => assert.ok(Math.abs(w - expected[i]) < 1e-12, `parameter ${i}`));
});

test('DP-SGD with noise still learns a linear map, and reports the event to account', () => {
  const { x, y } = data(400, 2);
  const model = new Mlp({ widths: [2, 1], seed: 1 });
  const { event } = trainDpSgd(model, x, y, { clipNorm: 1, noiseMultiplier: 1, samplingRate: 0.1, steps: 300, learningRate: 0.2, uniform: new Rng(3) });
  assert.deepEqual(event, { noiseMultiplier: 1, samplingRate: 0.1, steps: 300 });
  assert.ok(Math.abs(model.parameters.tensor('layer0.weight').data[0] - 2) < 0.3, `w0 = ${model.parameters.tensor('layer0.weight').data[0]}`);
});

test('a plant whose sample-level budget is spent answers BUDGET_EXHAUSTED as data', async () => {
  const train = data(100, 4);
  const guard = new BudgetGuard({ epsilon: 3, delta: 1e-5 }, new MemoryPrivacyLedger(), { level: 'sample', plant: 'a' });
  const handler = dpSgdPlant({ train, model: () => new Mlp({ widths: [2, 1] }), dpSgd: { clipNorm: 1, noiseMultiplier: 2.5, samplingRate: 0.1, steps: 10, uniform: new Rng(1) }, guard })(
    async () => assert.fail('the plant’s ordinary training must not run'),
    { plantId: 'a', numTrainExamples: 100 },
  );
  const replies: PlantReply[] = [];
  for (let round = 1; round <= 40; round++) {
    const reply = await handler({ kind: 'fit', runId: 'r', round, config: { epochs: 1, batchSize: 10, learningRate: 0.1, optimizer: 'sgd', seed: round }, arrays: { parameters: new Float64Array(3) } });
    replies.push(reply);
    if (!reply.ok) break;
  }
  const last = replies.at(-1)!;
  assert.ok(!last.ok && last.failure.code === 'BUDGET_EXHAUSTED', JSON.stringify(last));
  assert.ok(replies.length > 2, `${replies.length} replies: ${JSON.stringify(replies.map((r) => (r.ok ? r.metrics : r.failure)))}`);
  assert.ok(guard.spent() <= 3);
});
