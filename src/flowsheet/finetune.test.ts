import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkGradient } from '../tensor/gradcheck.js';
import { Tensor } from '../tensor/tensor.js';
import { generateCumeneData } from './cumene/data.js';
import { cumeneFlowsheetSpec } from './cumene/process.js';
import { fineTune, selectCases, unrolledLoss } from './finetune.js';
import { Flowsheet } from './flowsheet.js';
import { SurrogateFlowsheet } from './surrogate-flowsheet.js';

const data = generateCumeneData({ cases: 24, seed: 21, spread: 0.3 });
const fs = Flowsheet.from(cumeneFlowsheetSpec);

function smallSurrogates(epochs = 5): SurrogateFlowsheet {
  const sf = SurrogateFlowsheet.create(fs, data, { hidden: [5], seed: 4 });
  for (const [name, s] of Object.entries(sf.surrogates)) s.train(data.units[name], { epochs, lr: 1e-2 });
  return sf;
}

test('the gradient of the unrolled tear solve matches finite differences, for unit weights and the initial guess', () => {
  const sf = smallSurrogates();
  const cases = selectCases(data, [0, 3, 7]);
  const x0 = new Tensor(3, sf.evaluator.tearSize, cases.tears.data.map((v, i) => v + 0.3 * sf.tearScale.std.data[i % 7]));
  // Four substitution passes through ten MLPs: weights of the alkylator and of the benzene column, and x0.
  const reactorWeight = sf.surrogates.R1.mlp.parameters.tensor('layer0.weight');
  const columnBias = sf.surrogates.C1.mlp.parameters.tensor('layer1.bias');
  const result = checkGradient((w, b, x) => {
    void w;
    void b;
    return unrolledLoss(sf, cases, x, 4);
  }, [reactorWeight, columnBias, x0], { stepSize: 1e-5 });
  assert.ok(result.maxRelError < 1e-5, `max relative error ${result.maxRelError} at ${JSON.stringify(result.worst)}`);
  assert.ok(Math.max(...result.analytic[0].map(Math.abs)) > 0, 'no gradient reached the alkylator weights');
});

test('fine-tuning through the unrolled solver lowers the end-to-end loss from perturbed starts', () => {
  const sf = smallSurrogates(60);
  const x0 = new Tensor(data.tears.rows, sf.evaluator.tearSize, data.tears.data.map((v, i) => v + 0.5 * sf.tearScale.std.data[i % 7]));
  const before = unrolledLoss(sf, data, x0, 6).item();
  const losses = fineTune(sf, data, { steps: 80, batchSize: 12, lr: 3e-3, seed: 2 });
  const after = unrolledLoss(sf, data, x0, 6).item();
  assert.equal(losses.length, 80);
  assert.ok(after < 0.7 * before, `end-to-end loss ${before} → ${after}`);
});
