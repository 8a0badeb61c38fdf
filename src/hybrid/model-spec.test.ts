import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../errors.js';
import { HybridModel } from './hybrid-model.js';
import { Mlp } from '../nn/mlp.js';
import { Classifier } from '../classify/classifier.js';
import { buildModel, modelShapeOf, parseModelSpec, plantMiddlewareFor } from './model-spec.js';

function configError(input: unknown): string {
  try {
    parseModelSpec(input);
  } catch (e) {
    assert.ok(isCrucibleError(e, 'CONFIG_INVALID'), String(e));
    return e.message;
  }
  assert.fail('expected a CONFIG_INVALID error');
}

describe('model section of the federation config', () => {
  it('builds a neural, classifier or hybrid model by kind', () => {
    assert.ok(buildModel(parseModelSpec({ kind: 'neural', hidden: [8] }), { inputSize: 4, outputSize: 2 }) instanceof Mlp);
    // The transport config's earlier form (no kind, full widths) reads as a neural model.
    assert.deepEqual(parseModelSpec({ widths: [4, 32, 1], activation: 'tanh', seed: 1 }), { kind: 'neural', widths: [4, 32, 1], hidden: [32, 32], activation: 'tanh', seed: 1 });
    assert.throws(() => buildModel(parseModelSpec({ widths: [4, 32, 1] }), { inputSize: 5, outputSize: 1 }), /takes 4 inputs.*data have 5 inputs/);
    const clf = buildModel(parseModelSpec({ kind: 'classifier', classes: 3, classWeights: 'balanced' }), { inputSize: 5, outputSize: 1 });
    assert.equal(clf.outputSize, 3);
    assert.ok(clf instanceof Classifier);
    assert.throws(() => buildModel(parseModelSpec({ kind: 'classifier', classes: 3 }), { inputSize: 5, outputSize: 2 }), /needs one target column of class labels 0 … 2, the data have 2 target columns/);
    assert.throws(() => buildModel(parseModelSpec({ kind: 'classifier', classes: 3, inputs: 4 }), { inputSize: 5, outputSize: 1 }), /takes 4 inputs.*data have 5 inputs/);
    const hybrid = buildModel(parseModelSpec({ kind: 'hybrid', example: 'cstr-kinetics', referenceTemperatureC: 113, plantActivity: true }), { inputSize: 3, outputSize: 2 });
    assert.ok(hybrid instanceof HybridModel);
    assert.equal((hybrid as HybridModel).indicesOf('plant').length, 1);
    assert.equal(plantMiddlewareFor(hybrid).length, 1);
    assert.equal(plantMiddlewareFor(clf).length, 0);
  });

  it('knows the shape a spec fixes without data, and only that', () => {
    assert.deepEqual(modelShapeOf(parseModelSpec({ widths: [4, 16, 2] })), { inputSize: 4, outputSize: 2 });
    assert.deepEqual(modelShapeOf(parseModelSpec({ kind: 'hybrid', example: 'cstr-kinetics', referenceTemperatureC: 113 })), { inputSize: 3, outputSize: 2 });
    assert.equal(modelShapeOf(parseModelSpec({ kind: 'neural', hidden: [8] })), undefined);
    assert.equal(modelShapeOf(parseModelSpec({ kind: 'classifier', classes: 3 })), undefined);
    assert.deepEqual(modelShapeOf(parseModelSpec({ kind: 'classifier', classes: 3, inputs: 5 })), { inputSize: 5, outputSize: 1 });
  });

  it('names the offending key in its errors', () => {
    assert.match(configError({ kind: 'tree' }), /model\.kind: expected one of neural, classifier, hybrid, got "tree"/);
    assert.match(configError({ kind: 'neural', hidden: [8, -1] }), /model\.hidden\[1\]/);
    assert.match(configError({ kind: 'classifier', classes: 1 }), /model\.classes/);
    assert.match(configError({ kind: 'classifier', classes: 3, classWeights: [1, 2] }), /model\.classWeights: has 2 entries for 3 classes/);
    assert.match(configError({ kind: 'classifier', classes: 2, classNames: ['ok'] }), /model\.classNames: has 1 entries for 2 classes/);
    assert.match(configError({ kind: 'classifier', classes: 2, inputs: 0 }), /model\.inputs/);
    assert.match(configError({ kind: 'hybrid', example: 'eaf-energy' }), /model\.materials/);
    assert.match(configError({ kind: 'neural', hiden: [8] }), /unknown key\(s\) hiden/);
    assert.throws(() => buildModel(parseModelSpec({ kind: 'hybrid', example: 'cstr-kinetics', referenceTemperatureC: 113 }), { inputSize: 4, outputSize: 2 }), /takes 3 inputs.*data have 4 inputs/);
  });
});
