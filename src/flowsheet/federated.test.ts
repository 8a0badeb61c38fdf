import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concat } from '../tensor/ops/index.js';
import { generateCumeneData } from './cumene/data.js';
import { cumeneFlowsheetSpec } from './cumene/process.js';
import { unitR2 } from './evaluate.js';
import { pooledStandardization, trainSurrogatesFederated } from './federated.js';
import { Flowsheet } from './flowsheet.js';
import { standardization } from './surrogate.js';

const fs = Flowsheet.from(cumeneFlowsheetSpec);
const plantA = generateCumeneData({ cases: 40, seed: 31, spread: 0.3 });
const plantB = generateCumeneData({ cases: 50, seed: 32, spread: 0.3 });

test('the scaling pooled from column sums equals the scaling of the plants’ data put together', () => {
  const pooled = pooledStandardization([plantA.units.R1.inputs, plantB.units.R1.inputs]);
  const direct = standardization(concat([plantA.units.R1.inputs, plantB.units.R1.inputs], 0));
  for (let j = 0; j < pooled.mean.cols; j++) {
    assert.ok(Math.abs(pooled.mean.data[j] - direct.mean.data[j]) < 1e-9 * (1 + Math.abs(direct.mean.data[j])));
    assert.ok(Math.abs(pooled.std.data[j] - direct.std.data[j]) < 1e-6 * (1 + direct.std.data[j]));
  }
});

test('unit surrogates trained by FedAvg across two plants, each with its own data, fit held-out data', async () => {
  const sf = await trainSurrogatesFederated(fs, [{ plantId: 'plant-a', data: plantA }, { plantId: 'plant-b', data: plantB }], {
    hidden: [8], rounds: 30, localEpochs: 5, lr: 1e-2, seed: 1,
  });
  const test = generateCumeneData({ cases: 30, seed: 33, spread: 0.3 });
  const r2 = unitR2(sf, test);
  const good = Object.values(r2).filter((v) => v > 0.9).length;
  assert.ok(good >= 8, `R² per unit: ${JSON.stringify(r2)}`);
});
