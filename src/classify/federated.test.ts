import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { federatedScaling } from '../federation/feature-scaling.js';
import { InMemoryGrid } from '../federation/in-memory-grid.js';
import { createPlant } from '../federation/plant.js';
import { runFederation } from '../federation/run.js';
import { fedAvg } from '../federation/strategies/fed-avg.js';
import { lastRound } from '../federation/test-support.js';
import { predict } from '../nn/fit.js';
import { Mlp } from '../nn/mlp.js';
import { concat, sliceRows } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import { castingDefects } from './defects.js';
import { fedProx } from '../federation/strategies/fed-avg.js';
import { Classifier } from './classifier.js';
import { classProbabilities, classifierStrategy, collectClassCounts } from './federated.js';
import { classifierPlantOptions } from './plant.js';
import { balancedClassWeights } from './losses.js';
import { classificationMetrics, confusionMatrix } from './metrics.js';

describe('federated classifier', () => {
  it('trains with class weights from pooled counts and reports per-plant and pooled metrics from counts only', async () => {
    const settings = [{ defectProneness: -0.3, superheatShiftK: -3 }, { defectProneness: 0, superheatShiftK: 0 }, { defectProneness: 0.4, superheatShiftK: 4 }];
    const tasks = settings.map((s, i) => castingDefects({ samples: 900, seed: 20 + i, ...s }));
    const split = tasks.map((t) => ({
      train: { x: sliceRows(t.x, 0, 600), y: new Tensor(600, 1, t.labels.slice(0, 600)) },
      validation: { x: sliceRows(t.x, 600, 900), y: new Tensor(300, 1, t.labels.slice(600, 900)) },
    }));
    const model = () => new Classifier(new Mlp({ widths: [5, 3], seed: 1 }), 3);
    const grid = new InMemoryGrid(split.map((d, i) => createPlant(classifierPlantOptions({ plantId: `plant-${i}`, data: d.train, validation: d.validation, model }, { classes: 3 }))));
    const counts = await collectClassCounts(grid, { runId: 'clf', classes: 3, timeoutMs: 5000 });
    const weights = balancedClassWeights(counts);
    const last = await lastRound(runFederation(grid, classifierStrategy(fedAvg(), { classes: 3, classWeights: weights }), {
      runId: 'clf', rounds: 25, seed: 4, initialParameters: model().parameters.get(), featureScaling: true,
      training: { epochs: 2, batchSize: 64, learningRate: 0.02, optimizer: 'adam' }, minPlants: 3, evaluateEvery: 25,
      timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 },
    }));
    const { scaling } = await federatedScaling(grid, grid.plants(), { runId: 'clf', timeoutMs: 5000 });
    const summary = last.evaluation!.classification!;

    console.log(`  pooled class counts [${counts}] → weights [${weights.map((w) => w.toFixed(2))}]`);
    for (const [id, m] of Object.entries(summary.perPlant)) {
      console.log(`  ${id}: accuracy ${m.accuracy.toFixed(3)} recall shrinkage/cracks ${m.perClass[1].recall.toFixed(2)}/${m.perClass[2].recall.toFixed(2)} AUC ${m.auc.map((a) => a.toFixed(3)).join('/')}`);
    }
    const p = summary.pooled;
    console.log(`  pooled: accuracy ${p.accuracy.toFixed(3)} macro-F1 ${p.macroF1.toFixed(3)} recall ${p.perClass[1].recall.toFixed(2)}/${p.perClass[2].recall.toFixed(2)} AUC ${p.auc.map((a) => a.toFixed(3)).join('/')}`);

    // The pooled confusion metrics equal those of the final model on all held-out rows together.
    const final = model();
    final.parameters.set(last.globalParameters);
    const xAll = concat(split.map((d) => d.validation.x), 0);
    const xScaled = new Tensor(xAll.rows, 5, xAll.data.map((v, k) => (v - scaling.featureMean[k % 5]) / scaling.featureStd[k % 5]));
    const prob = classProbabilities(predict(final, xScaled), 3);
    const predicted = Array.from({ length: prob.rows }, (_, i) => [0, 1, 2].reduce((b, k) => (prob.get(i, k) > prob.get(i, b) ? k : b), 0));
    const central = classificationMetrics(confusionMatrix(predicted, concat(split.map((d) => d.validation.y), 0).data, 3));
    assert.deepEqual({ ...p, auc: undefined, confusion: undefined }, { ...central, auc: undefined, confusion: undefined });
    assert.equal(p.confusion.reduce((a, b) => a + b, 0), 900);
    assert.ok(p.perClass[1].recall > 0.5 && p.perClass[2].recall > 0.4, `rare-class recall ${p.perClass[1].recall}, ${p.perClass[2].recall}`);
    assert.ok(p.auc.every((a) => a > 0.75), `AUC ${p.auc}`);
    // Per-plant metrics reach the round result too.
    assert.deepEqual(Object.keys(last.evaluation!.perPlant).sort(), ['plant-0', 'plant-1', 'plant-2']);
    assert.ok(Number.isFinite(last.evaluation!.perPlant['plant-0'].recall1));
  });

  it('trains a binary rare-defect classifier through the core plant with FedProx and a step cap', async () => {
    const tasks = [0, 1].map((i) => castingDefects({ samples: 800, seed: 60 + i, defectProneness: 0.5 }));
    const binary = tasks.map((t) => ({ x: t.x, y: new Tensor(t.x.rows, 1, t.labels.map((l) => (l === 1 ? 1 : 0))) }));
    const model = () => new Classifier(new Mlp({ widths: [5, 1], seed: 2 }), 2);
    const grid = new InMemoryGrid(binary.map((d, i) => createPlant(classifierPlantOptions({ plantId: `p${i}`, data: d, model, splitSeed: i }, { classes: 2 }))));
    const weights = balancedClassWeights(await collectClassCounts(grid, { runId: 'bin', classes: 2, timeoutMs: 5000 }));
    const last = await lastRound(runFederation(grid, classifierStrategy(fedProx({ proximalMu: 0.01 }), { classes: 2, classWeights: weights }), {
      runId: 'bin', rounds: 15, seed: 1, initialParameters: model().parameters.get(), featureScaling: true,
      training: { epochs: 3, batchSize: 32, learningRate: 0.05, optimizer: 'sgd', maxSteps: 20 }, minPlants: 2, evaluateEvery: 15,
      timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 },
    }));
    const c = last.evaluation!.classification!;
    console.log(`  binary: weights [${weights.map((w) => w.toFixed(2))}], pooled recall ${c.pooled.perClass[1].recall.toFixed(2)} precision ${c.pooled.perClass[1].precision.toFixed(2)} AUC ${c.pooled.auc[0].toFixed(3)}, local steps ${last.fit.perPlant.p0.localSteps}`);
    assert.equal(last.fit.perPlant.p0.localSteps, 20);
    assert.equal(c.pooled.auc.length, 1);
    assert.ok(c.pooled.perClass[1].recall > 0.5 && c.pooled.auc[0] > 0.75, JSON.stringify(c.pooled));
  });
});
