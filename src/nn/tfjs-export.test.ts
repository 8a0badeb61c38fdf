/** A Crucible MLP exported to the TF.js layers format opens in @tensorflow/tfjs and predicts the same values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { predict } from './fit.js';
import { Mlp, type MlpSpec } from './mlp.js';
import { exportTfjsModel } from './save.js';
import { type TfjsModelJson, toTfjsLayersModel } from './tfjs-export.js';

async function tfjsPredict(modelJson: TfjsModelJson, weightData: ArrayBuffer, x: Tensor): Promise<Float32Array> {
  const loaded = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0].weights, weightData }),
  );
  const input = tf.tensor2d(Array.from(x.data), [x.rows, x.cols], 'float32');
  const output = loaded.predict(input) as tf.Tensor;
  const values = (await output.data()) as Float32Array;
  tf.dispose([input, output]);
  loaded.dispose();
  return values;
}

test('exported MLPs predict the same in TF.js as in Crucible (float32 tolerance) for every activation', async () => {
  await tf.setBackend('cpu');
  const specs: MlpSpec[] = [
    { widths: [2, 16, 16, 1], activation: 'tanh', seed: 1 },
    { widths: [3, 8, 2], activation: 'relu', seed: 2 },
    { widths: [3, 8, 2], activation: 'silu', outputActivation: 'sigmoid', seed: 3 },
    { widths: [4, 6, 3], activation: 'softplus', outputActivation: 'tanh', seed: 4 },
  ];
  let worst = 0;
  for (const spec of specs) {
    const model = new Mlp(spec);
    const x = Tensor.randn(20, spec.widths[0], new Rng(5));
    const ours = predict(model, x).data;
    const { modelJson, weightData } = toTfjsLayersModel(model);
    const theirs = await tfjsPredict(modelJson, weightData, x);
    assert.equal(theirs.length, ours.length);
    for (let i = 0; i < ours.length; i++) {
      const err = Math.abs(theirs[i] - ours[i]);
      worst = Math.max(worst, err);
      assert.ok(err < 1e-5 * Math.max(1, Math.abs(ours[i])), `${spec.activation}: ${theirs[i]} vs ${ours[i]}`);
    }
  }
  console.log(`# TF.js vs Crucible predictions: worst absolute difference ${worst.toExponential(2)}`);
});

test('exportTfjsModel writes model.json and weights.bin that TF.js loads', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crucible-tfjs-'));
  try {
    const model = new Mlp({ widths: [2, 4, 1], seed: 9 });
    await exportTfjsModel(model, dir);
    const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as TfjsModelJson;
    assert.equal(modelJson.format, 'layers-model');
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
    const bin = await readFile(join(dir, 'weights.bin'));
    assert.equal(bin.length, 4 * model.parameters.count);
    const x = Tensor.from([[0.5, -0.25]]);
    const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const theirs = await tfjsPredict(modelJson, weightData, x);
    assert.ok(Math.abs(theirs[0] - predict(model, x).data[0]) < 1e-5);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
