import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tensor } from '../tensor/tensor.js';
import { assertGradient } from '../tensor/gradcheck.js';
import { isCrucibleError } from '../errors.js';
import { Mlp } from './mlp.js';
import { ProcessModel } from './process-model.js';
import { loadProcessModel, saveProcessModel } from './save.js';

const scaling = {
  featureMean: Float64Array.of(4.5, 85),
  featureStd: Float64Array.of(0.9, 9),
  targetMean: Float64Array.of(0.1),
  targetStd: Float64Array.of(0.02),
};

test('a process model predicts in physical units and its input gradient matches finite differences', () => {
  const pm = new ProcessModel(new Mlp({ widths: [2, 8, 1], seed: 4 }), { inputNames: ['F_B', 'T_R'], outputNames: ['xP'], scaling });
  const x = Tensor.from([[4.8, 90], [3.5, 75]]);
  const raw = pm.network.forward(Tensor.from([[(4.8 - 4.5) / 0.9, (90 - 85) / 9], [(3.5 - 4.5) / 0.9, (75 - 85) / 9]]));
  const y = pm.predict(x);
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(y.data[i] - (raw.data[i] * 0.02 + 0.1)) < 1e-15);
  assertGradient((xi) => pm.predict(xi), [Tensor.from([[4.8, 90]])], { label: 'ProcessModel.predict' });
});

test('a saved process model loads back bit-identical, and a corrupt file names itself', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-pm-'));
  const pm = new ProcessModel(new Mlp({ widths: [2, 5, 1], seed: 9 }), { inputNames: ['F_B', 'T_R'], outputNames: ['xP'], scaling, provenance: { rounds: 12, strategy: 'fedavg' } });
  const path = join(dir, 'model.json');
  await saveProcessModel(pm, path);
  const back = await loadProcessModel(path);
  assert.deepEqual(Array.from(back.network.parameters.values), Array.from(pm.network.parameters.values));
  assert.deepEqual(Array.from(back.scaling.featureStd), [0.9, 9]);
  assert.deepEqual(back.provenance, { rounds: 12, strategy: 'fedavg' });
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{"format":"something-else"}');
  await assert.rejects(loadProcessModel(bad), (e: unknown) => isCrucibleError(e, 'MESSAGE_MALFORMED') && (e as Error).message.includes(bad));
  await assert.rejects(loadProcessModel(join(dir, 'missing.json')), /missing\.json.*ENOENT/);
});

test('names that do not fit the network are refused with the counts', () => {
  assert.throws(() => new ProcessModel(new Mlp({ widths: [3, 1] }), { inputNames: ['a', 'b'], outputNames: ['y'] }), /2 input names .* 3 inputs/);
});
