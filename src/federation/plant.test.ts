import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Mlp } from '../nn/mlp.js';
import { Tensor } from '../tensor/tensor.js';
import type { FitTask, PlantReply, TaskMessage } from './messages.js';
import { createPlant, type PlantMiddleware } from './plant.js';
import { linearPlants } from './synthetic.js';

const [data] = linearPlants([{ rows: 50, featureStd: [1, 1], weights: [1, 2], bias: 0.5, noiseStd: 0.1 }], { seed: 3 });
const model = (): Mlp => new Mlp({ widths: [2, 1], seed: 1 });
const global = model().parameters.get();

function fitTask(config: Partial<FitTask['config']> = {}, arrays: Record<string, Float64Array> = {}): FitTask {
  return { kind: 'fit', runId: 'r', round: 1, config: { epochs: 1, batchSize: 10, learningRate: 0.1, optimizer: 'sgd', seed: 5, ...config }, arrays: { parameters: global, ...arrays } };
}

describe('createPlant', () => {
  it('returns local minus global parameters as the update, with its training-example count', async () => {
    const plant = createPlant({ plantId: 'a', data, model, validationFraction: 0.2 });
    const reply = await plant.handle(fitTask());
    assert.ok(reply.ok);
    assert.equal(reply.numExamples, 40);
    assert.equal(reply.metrics.localSteps, 4);
    const update = reply.arrays.update!;
    assert.equal(update.length, global.length);
    assert.ok(update.some((v) => v !== 0));
    // Re-running the same task gives the same update (the seed fixes the batch order).
    const again = await plant.handle(fitTask());
    assert.ok(again.ok);
    assert.deepEqual(again.arrays.update, update);
  });

  it('with FedProx, stays closer to the global model than without', async () => {
    const plant = createPlant({ plantId: 'a', data, model });
    const norm = (r: PlantReply): number => (r.ok ? Math.hypot(...r.arrays.update!) : Number.NaN);
    const free = norm(await plant.handle(fitTask({ epochs: 20 })));
    const prox = norm(await plant.handle(fitTask({ epochs: 20, proximalMu: 5 })));
    assert.ok(prox < 0.7 * free, `${prox} vs ${free}`);
  });

  it('computes SCAFFOLD control deltas by option II: Δc = −c − Δy/(Kη) for a fresh plant', async () => {
    const plant = createPlant({ plantId: 'a', data, model });
    const serverControl = Float64Array.of(0.01, -0.02, 0.03);
    const reply = await plant.handle(fitTask({ scaffold: true, controlRound: 0 }, { serverControl }));
    assert.ok(reply.ok);
    const k = reply.metrics.localSteps;
    const dy = reply.arrays.update!;
    const dc = reply.arrays.controlDelta!;
    for (let i = 0; i < dc.length; i++) assert.ok(Math.abs(dc[i] - (-serverControl[i] - dy[i] / (k * 0.1))) < 1e-12);
  });

  it('refuses SCAFFOLD with a local Adam optimizer, as a failure reply', async () => {
    const plant = createPlant({ plantId: 'a', data, model });
    const r = await plant.handle(fitTask({ scaffold: true, optimizer: 'adam' }, { serverControl: new Float64Array(3) }));
    assert.ok(!r.ok && /SCAFFOLD needs local SGD/.test(r.failure.message));
  });

  it('reports MSE, RMSE, MAE and R² of its held-out rows, and the sums to pool them', async () => {
    const validation = { x: Tensor.from([[1, 0], [0, 1], [1, 1]]), y: Tensor.from([[1], [2], [4]]) };
    const plant = createPlant({ plantId: 'a', data, validation, model });
    // A model computing exactly x₁ + 2·x₂: predictions 1, 2, 3 against 1, 2, 4.
    const reply = await plant.handle({ kind: 'evaluate', runId: 'r', round: 1, config: {}, arrays: { parameters: Float64Array.of(1, 2, 0) } });
    assert.ok(reply.ok);
    assert.equal(reply.numExamples, 3);
    assert.ok(Math.abs(reply.metrics.mse - 1 / 3) < 1e-15);
    assert.ok(Math.abs(reply.metrics.mae - 1 / 3) < 1e-15);
    assert.ok(Math.abs(reply.metrics.rmse - Math.sqrt(1 / 3)) < 1e-15);
    // SST = Σ(y − 7/3)² = 14/3, SSE = 1.
    assert.ok(Math.abs(reply.metrics.r2 - (1 - 3 / 14)) < 1e-15);
    assert.deepEqual(Array.from(reply.arrays.sumY!), [7]);
  });

  it('answers failures as data: a wrong-length model, an unknown kind', async () => {
    const plant = createPlant({ plantId: 'a', data, model });
    const wrong = await plant.handle({ ...fitTask(), arrays: { parameters: Float64Array.of(1, 2) } });
    assert.ok(!wrong.ok && wrong.failure.code === 'PLANT_TASK_FAILED' && /'parameters' has 2 values, the plant's model has 3/.test(wrong.failure.message));
    const unknown = await plant.handle({ kind: 'secagg.setup', runId: 'r', round: 1, config: {}, arrays: {} });
    assert.ok(!unknown.ok && /does not handle tasks of kind 'secagg.setup'/.test(unknown.failure.message));
  });

  it('runs middleware outermost first around the pipeline, and handlers for extra kinds', async () => {
    const trace: string[] = [];
    const tag = (name: string): PlantMiddleware => (next, info) => async (task) => {
      trace.push(`${name}>${info.plantId}`);
      const r = await next(task);
      trace.push(`<${name}`);
      return r;
    };
    const plant = createPlant({
      plantId: 'a', data, model, middleware: [tag('dp'), tag('secagg')],
      handlers: { ping: async (t: TaskMessage) => ({ ok: true, kind: t.kind, runId: t.runId, round: t.round, plantId: 'a', numExamples: 0, metrics: { pong: 1 }, arrays: {} }) },
    });
    const r = await plant.handle({ kind: 'ping', runId: 'r', round: 0, config: {}, arrays: {} });
    assert.ok(r.ok && r.metrics.pong === 1);
    assert.deepEqual(trace, ['dp>a', 'secagg>a', '<secagg', '<dp']);
  });

  it('sends only sums of its training rows for feature statistics', async () => {
    const plant = createPlant({ plantId: 'a', data, model, validationFraction: 0 });
    const r = await plant.handle({ kind: 'statistics', runId: 'r', round: 0, config: {}, arrays: {} });
    assert.ok(r.ok);
    assert.equal(r.numExamples, 50);
    let s = 0;
    for (let i = 0; i < 50; i++) s += data.x.data[2 * i];
    assert.ok(Math.abs(r.arrays.featureSum![0] - s) < 1e-12);
    assert.deepEqual(Object.keys(r.arrays).sort(), ['featureSum', 'featureSumSq', 'targetSum', 'targetSumSq']);
  });
});
