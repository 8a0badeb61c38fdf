/** Model bytes round-trip exactly; corrupt bytes and files fail saying which part is wrong. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { isCrucibleError } from '../errors.js';
import { predict } from './fit.js';
import { Mlp } from './mlp.js';
import { decodeModel, encodeModel } from './serialize.js';
import { loadModel, saveModel } from './save.js';

test('encodeModel/decodeModel round-trip the architecture and every weight bit for bit', () => {
  const model = new Mlp({ widths: [3, 5, 4, 2], activation: 'silu', outputActivation: 'sigmoid', seed: 12 });
  // Values that float32 cannot hold, and signed zero, must survive.
  model.parameters.values[0] = Math.PI / 3;
  model.parameters.values[1] = -0;
  model.parameters.values[2] = 1e-310;
  const copy = decodeModel(encodeModel(model));
  assert.deepEqual(copy.spec, model.spec);
  assert.ok(Object.is(copy.parameters.values[1], -0));
  assert.deepEqual(new Uint8Array(copy.parameters.values.buffer), new Uint8Array(model.parameters.values.buffer));
  const x = Tensor.randn(7, 3, new Rng(1));
  assert.deepEqual(predict(copy, x).data, predict(model, x).data);
});

test('decodeModel rejects wrong magic, truncated weights and invalid headers with MESSAGE_MALFORMED', () => {
  const bytes = encodeModel(new Mlp({ widths: [2, 3, 1], seed: 1 }));
  const expectMalformed = (b: Uint8Array, pattern: RegExp): void => {
    assert.throws(() => decodeModel(b), (e: unknown) => isCrucibleError(e, 'MESSAGE_MALFORMED') && pattern.test((e as Error).message));
  };
  const wrongMagic = bytes.slice();
  wrongMagic[0] = 0x58;
  expectMalformed(wrongMagic, /decodeModel: bytes start with 'XRUCMODL', expected 'CRUCMODL'/);
  expectMalformed(bytes.subarray(0, bytes.length - 8), /bytes, expected \d+ for 13 float64 weights/);
  const text = new TextDecoder().decode(bytes);
  const badActivation = new TextEncoder().encode(text.replace('"tanh"', '"gelu"'));
  expectMalformed(badActivation, /header field 'spec.activation' is invalid/);
  expectMalformed(new Uint8Array(3), /3 bytes is too short/);
});

test('saveModel and loadModel round-trip through a file, and a bad file is named in the error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crucible-save-'));
  try {
    const model = new Mlp({ widths: [2, 4, 1], seed: 3 });
    const path = join(dir, 'model.crm');
    await saveModel(model, path);
    const loaded = await loadModel(path);
    assert.deepEqual(loaded.parameters.values, model.parameters.values);
    const bad = join(dir, 'bad.crm');
    await writeFile(bad, 'not a model at all');
    await assert.rejects(loadModel(bad), (e: unknown) => isCrucibleError(e, 'MESSAGE_MALFORMED') && (e as Error).message.includes(`(file ${bad})`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
