import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Adam } from '../nn/adam.js';
import { fit, predict } from '../nn/fit.js';
import { Mlp } from '../nn/mlp.js';
import { generateEafHeats } from '../process/eaf/heatLog.js';
import { eafPaperPreset } from '../process/presets/eaf.js';
import { assertGradient } from '../tensor/gradcheck.js';
import { Rng } from '../tensor/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { castingDefects, offSpecHeats, type DefectTask } from './defects.js';
import { balancedClassWeights, classificationLoss, oneHot, sigmoidCrossEntropy, softmaxCrossEntropy } from './losses.js';
import { aucFromHistograms, classificationMetrics, confusionMatrix, poolConfusion, poolHistograms, rocAuc, scoreHistogram } from './metrics.js';

describe('classification losses', () => {
  const rng = new Rng(4);
  const logits1 = Tensor.randn(6, 1, rng);
  const labels1 = Tensor.from([[0], [1], [0], [0], [1], [0]]);
  const logits3 = Tensor.randn(5, 3, rng);
  const labels3 = Tensor.from([[0], [2], [1], [0], [2]]);

  it('have exact gradients, weighted and unweighted', () => {
    assertGradient((z) => sigmoidCrossEntropy(z, labels1), [logits1], { label: 'sigmoid CE' });
    assertGradient((z) => sigmoidCrossEntropy(z, labels1, { classWeights: [0.3, 4] }), [logits1], { label: 'weighted sigmoid CE' });
    assertGradient((z) => softmaxCrossEntropy(z, labels3), [logits3], { label: 'softmax CE' });
    assertGradient((z) => softmaxCrossEntropy(z, labels3, { classWeights: [0.5, 2, 3], reduction: 'sum' }), [logits3], { label: 'weighted softmax CE' });
  });

  it('equal the textbook definitions', () => {
    const z = 0.7;
    const p = 1 / (1 + Math.exp(-z));
    assert.ok(Math.abs(sigmoidCrossEntropy(Tensor.from([[z]]), Tensor.from([[1]]), { classWeights: [1, 3] }).item() - -3 * Math.log(p)) < 1e-12);
    const row = [0.1, 2, -1];
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const l = softmaxCrossEntropy(Tensor.from([row]), oneHot([2], 3), { classWeights: [1, 1, 2] }).item();
    assert.ok(Math.abs(l - 2 * (lse - row[2])) < 1e-12);
    assert.throws(() => softmaxCrossEntropy(logits3, Tensor.from([[0], [3], [1], [0], [2]])), /target at row 1 is 3; expected a class index in \[0, 3\)/);
  });

  it('balanced weights make every class count equally', () => {
    const w = balancedClassWeights([950, 50]);
    assert.ok(Math.abs(w[0] * 950 - w[1] * 50) < 1e-9);
  });
});

describe('classification metrics', () => {
  it('AUC counts ties as one half and matches the brute-force pair count', () => {
    const rng = new Rng(9);
    const scores = Array.from({ length: 200 }, () => Math.round(rng.uniform(0, 10)) / 10); // many ties
    const labels = scores.map((s) => (rng.uniform() < 0.2 + 0.5 * s ? 1 : 0));
    let pairs = 0;
    let count = 0;
    for (let i = 0; i < 200; i++) for (let j = 0; j < 200; j++) {
      if (labels[i] === 1 && labels[j] === 0) {
        count++;
        pairs += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
      }
    }
    assert.ok(Math.abs(rocAuc(scores, labels) - pairs / count) < 1e-12);
    assert.equal(rocAuc([0.5, 0.5], [0, 1]), 0.5);
    // Binned AUC from histograms is exact when scores sit on the bin grid.
    assert.ok(Math.abs(aucFromHistograms(scoreHistogram(scores, labels, { bins: 11, lo: -0.05, hi: 1.05 })) - pairs / count) < 1e-12);
  });

  it('pooled from plants\' counts equal the metrics of all rows together', () => {
    const rng = new Rng(3);
    const plants = [120, 80, 40].map((n) => {
      const labels = Array.from({ length: n }, () => rng.int(3));
      const predicted = labels.map((l) => (rng.uniform() < 0.7 ? l : rng.int(3)));
      const scores = labels.map((l) => Math.min(1, Math.max(0, 0.3 * (l === 2 ? 1 : 0) + rng.uniform(0, 0.7))));
      return { labels, predicted, scores };
    });
    const all = { labels: plants.flatMap((p) => p.labels), predicted: plants.flatMap((p) => p.predicted), scores: plants.flatMap((p) => p.scores) };
    const pooled = classificationMetrics(poolConfusion(plants.map((p) => confusionMatrix(p.predicted, p.labels, 3))));
    assert.deepEqual(pooled, classificationMetrics(confusionMatrix(all.predicted, all.labels, 3)));
    const binary = (ls: number[]) => ls.map((l) => (l === 2 ? 1 : 0));
    const pooledAuc = aucFromHistograms(poolHistograms(plants.map((p) => scoreHistogram(p.scores, binary(p.labels)))));
    assert.ok(Math.abs(pooledAuc - rocAuc(all.scores, binary(all.labels))) < 2e-3, `${pooledAuc} vs ${rocAuc(all.scores, binary(all.labels))}`);
    assert.ok(pooled.perClass.every((c) => c.precision > 0.5 && c.recall > 0.5));
  });
});

/** Standardises features with the training rows' mean and spread (constant columns kept as they are). */
function standardise(train: Tensor, ...others: Tensor[]): Tensor[] {
  const d = train.cols;
  const mean = new Float64Array(d);
  const sq = new Float64Array(d);
  for (let i = 0; i < train.rows; i++) for (let j = 0; j < d; j++) mean[j] += train.data[i * d + j] / train.rows;
  for (let i = 0; i < train.rows; i++) for (let j = 0; j < d; j++) sq[j] += (train.data[i * d + j] - mean[j]) ** 2 / train.rows;
  return [train, ...others].map((t) => new Tensor(t.rows, d, t.data.map((v, k) => (v - mean[k % d]) / (Math.sqrt(sq[k % d]) || 1))));
}

function rows(task: DefectTask, from: number, to: number): { x: Tensor; y: Tensor } {
  const d = task.x.cols;
  return { x: new Tensor(to - from, d, task.x.data.slice(from * d, to * d)), y: new Tensor(to - from, 1, task.labels.slice(from, to)) };
}

describe('rare defect classes', () => {
  it('class-weighted training finds more of the rare casting defects than unweighted training', () => {
    const task = castingDefects({ samples: 3000, seed: 5 });
    const train = rows(task, 0, 2000);
    const test = rows(task, 2000, 3000);
    const [xTrain, xTest] = standardise(train.x, test.x);
    const counts = [0, 0, 0];
    for (const l of train.y.data) counts[l]++;
    const weights = balancedClassWeights(counts);
    const run = (classWeights?: number[]) => {
      const model = new Mlp({ widths: [xTrain.cols, 3], seed: 1 });
      fit(model, xTrain, oneHot(train.y.data, 3), { epochs: 40, batchSize: 64, loss: classificationLoss({ outputs: 3, classWeights }), optimizer: new Adam(model.parameters, { lr: 0.05 }), seed: 2 });
      const logits = predict(model, xTest);
      const predicted = Array.from({ length: logits.rows }, (_, i) => [0, 1, 2].reduce((b, k) => (logits.get(i, k) > logits.get(i, b) ? k : b), 0));
      const m = classificationMetrics(confusionMatrix(predicted, test.y.data, 3));
      // One-vs-rest AUC of each defect from its logit margin over "in spec".
      const auc = [1, 2].map((k) => rocAuc(Array.from({ length: logits.rows }, (_, i) => logits.get(i, k) - logits.get(i, 0)), Array.from(test.y.data, (l) => (l === k ? 1 : 0))));
      return { m, auc };
    };
    const plain = run();
    const weighted = run(weights);
    console.log(`  train counts [in spec, shrinkage, cracks] = [${counts}]; weights [${weights.map((w) => w.toFixed(2))}]`);
    for (const [name, r] of [['unweighted', plain], ['weighted  ', weighted]] as const) {
      const c = r.m.perClass;
      console.log(`  ${name} shrinkage P/R/F1 ${c[1].precision.toFixed(2)}/${c[1].recall.toFixed(2)}/${c[1].f1.toFixed(2)} AUC ${r.auc[0].toFixed(3)}; cracks P/R/F1 ${c[2].precision.toFixed(2)}/${c[2].recall.toFixed(2)}/${c[2].f1.toFixed(2)} AUC ${r.auc[1].toFixed(3)}; macro-F1 ${r.m.macroF1.toFixed(3)}`);
    }
    for (const k of [1, 2]) {
      assert.ok(counts[k] / 2000 < 0.05, `class ${k} must be rare`);
      assert.ok(weighted.m.perClass[k].recall >= plain.m.perClass[k].recall + 0.25, `class ${k}: recall ${weighted.m.perClass[k].recall} vs unweighted ${plain.m.perClass[k].recall}`);
      assert.ok(weighted.auc[k - 1] > 0.75, `AUC of class ${k}: ${weighted.auc[k - 1]}`);
    }
  });

  it('labels simulated EAF heats off-spec exactly where the measured Cu exceeds the grade limit', () => {
    const config = eafPaperPreset()[2];
    const ds = generateEafHeats(config, { seed: 3, samples: 200 });
    const task = offSpecHeats(ds, config.plant.materials.map((m) => m.id), { cuLimitWtPct: 0.42, snLimitWtPct: 0.044 });
    for (let i = 0; i < 200; i++) {
      const expected = ds.values.tap_Cu_wtpct[i] > 0.42 ? 1 : ds.values.tap_Sn_wtpct[i] > 0.044 ? 2 : 0;
      assert.equal(task.labels[i], expected);
    }
    const offSpec = task.labels.filter((l) => l > 0).length;
    assert.ok(offSpec > 0 && offSpec < 40, `${offSpec} off-spec heats of 200`);
  });
});
