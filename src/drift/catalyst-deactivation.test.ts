import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPlant } from '../federation/plant.js';
import { InMemoryGrid } from '../federation/in-memory-grid.js';
import { fedAvg } from '../federation/strategies/fed-avg.js';
import { predict } from '../nn/fit.js';
import { nominalVanDeVusse, type VanDeVusseParameters } from '../process/vanDeVusse.js';
import { concat, sliceRows } from '../tensor/ops/index.js';
import { cstrKineticsPlants, cstrSteadyStateData, trueKinetics, vanDeVusseKineticsModel, type CstrKineticsData } from '../hybrid/examples/cstr-kinetics.js';
import { keepPlantParametersLocal } from '../hybrid/plant-parameters.js';
import { DriftMonitor } from './monitor.js';
import { collectDriftReports, retrainFromCurrent, retrainingDecision } from './retraining.js';

const referenceTemperatureC = 113.5;
const truth = trueKinetics(nominalVanDeVusse, referenceTemperatureC);
const onset = 150;
const streamLength = 450;
/** Catalyst activity of k1: fresh until `onset`, then decaying to 60 % (time constant 40 samples). */
const activity = (t: number): number => (t < onset ? 1 : 0.6 + 0.4 * Math.exp(-(t - onset) / 40));
const agedAt = (t: number): VanDeVusseParameters => ({
  ...nominalVanDeVusse,
  preExponential: [nominalVanDeVusse.preExponential[0] * activity(t), nominalVanDeVusse.preExponential[1], nominalVanDeVusse.preExponential[2]],
});

/** The deployed model: the kinetics as fitted before deactivation (here: the true values), activity 1. */
const model = () => vanDeVusseKineticsModel({
  referenceTemperatureC, plantActivity: true,
  initialRateAtReference: truth.logRateAtReference.map(Math.exp) as [number, number, number],
  initialActivationTemperatureK: truth.activationTemperatureK as [number, number, number],
});

function rmse(pred: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let k = 0; k < y.length; k++) s += (pred[k] - y[k]) ** 2;
  return Math.sqrt(s / y.length);
}

describe('drift-triggered retraining on a van de Vusse fleet whose catalysts deactivate', () => {
  it('detects the deactivation within a bounded number of samples, stays quiet at the fresh plant, and retraining restores the error', async () => {
    const plants = cstrKineticsPlants();
    // plant-a's catalyst stays fresh; plant-b's and plant-c's deactivate from sample `onset` on.
    const aging = new Set(['plant-b', 'plant-c']);
    const streams: CstrKineticsData[] = plants.map((p) => {
      const samples = Array.from({ length: streamLength + 100 }, (_, t) =>
        cstrSteadyStateData({ ...p, samples: 1, parameters: aging.has(p.plantId) ? agedAt(t) : nominalVanDeVusse }, { seed: 10_000 + t }));
      return { x: concat(samples.map((s) => s.x), 0), y: concat(samples.map((s) => s.y), 0), trueY: concat(samples.map((s) => s.trueY), 0) };
    });
    const deployed = model();
    const monitors = plants.map((p, i) => {
      const monitor = new DriftMonitor({ reference: sliceRows(streams[i].x, 0, onset), residual: { kind: 'page-hinkley', delta: 0.005, lambda: 0.4 }, windowSize: 100 });
      // The plant watches the error of its cB prediction on every new sample.
      const predicted = predict(deployed, sliceRows(streams[i].x, 0, streamLength));
      for (let t = 0; t < streamLength; t++) monitor.observe(streams[i].x.data.subarray(t * 3, t * 3 + 3), predicted.get(t, 1) - streams[i].y.get(t, 1));
      return monitor;
    });

    // Plants train on their most recent 150 samples; the last 100 of each stream are held out for scoring.
    const locals = plants.map(() => keepPlantParametersLocal(model().indicesOf('plant')));
    const grid = new InMemoryGrid(plants.map((p, i) => createPlant({
      plantId: p.plantId, data: { x: sliceRows(streams[i].x, streamLength - 150, streamLength), y: sliceRows(streams[i].y, streamLength - 150, streamLength) },
      model, splitSeed: i, middleware: [locals[i].middleware], handlers: monitors[i].handlers(p.plantId),
    })));
    const reports = await collectDriftReports(grid, { runId: 'watch', round: 1, timeoutMs: 5000 });
    const decision = retrainingDecision(reports, { minDriftingPlants: 2 });
    const detectedAt = plants.map((_, i) => monitors[i].status().driftedAtSample);
    console.log(`  drift reports: ${reports.map((r) => `${r.plantId} drift=${r.drift} score=${r.score.toFixed(2)}`).join('; ')}`);
    console.log(`  residual alarm at sample ${detectedAt.map((s, i) => `${plants[i].plantId}: ${s < 0 ? 'none' : `${s} (${s - onset} after onset)`}`).join(', ')}; ${decision.reason}`);
    assert.deepEqual(decision.drifting, ['plant-b', 'plant-c']);
    assert.ok(decision.retrain);
    for (const i of [1, 2]) assert.ok(detectedAt[i] > onset && detectedAt[i] - onset <= 100, `${plants[i].plantId} detected at ${detectedAt[i]}`);

    const heldOut = (i: number) => ({ x: sliceRows(streams[i].x, streamLength, streamLength + 100), y: sliceRows(streams[i].y, streamLength, streamLength + 100) });
    const before = plants.map((_, i) => rmse(predict(deployed, heldOut(i).x).data, heldOut(i).y.data));
    const { parameters } = await retrainFromCurrent(grid, fedAvg(), {
      runId: 'retrain-1', rounds: 30, seed: 3, initialParameters: deployed.parameters.get(),
      training: { epochs: 5, batchSize: 16, learningRate: 0.02, optimizer: 'adam' }, minPlants: 3, evaluateEvery: 0,
      timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 },
    });
    const after = plants.map((_, i) => {
      const m = model();
      m.parameters.set(locals[i].personalize(parameters));
      return { rmse: rmse(predict(m, heldOut(i).x).data, heldOut(i).y.data), activity: Math.exp(m.physicalValues().logActivity[0]) };
    });
    console.log(`  held-out RMSE [mol/L] before retraining ${before.map((v) => v.toFixed(4)).join(', ')}; after ${after.map((v) => v.rmse.toFixed(4)).join(', ')} (noise 0.02)`);
    console.log(`  learned catalyst activity ${after.map((v) => v.activity.toFixed(3)).join(', ')} (true ${plants.map((p) => (aging.has(p.plantId) ? activity(streamLength) : 1).toFixed(3)).join(', ')})`);
    for (const i of [1, 2]) {
      assert.ok(after[i].rmse < 0.5 * before[i], `${plants[i].plantId}: RMSE ${after[i].rmse} vs ${before[i]} before`);
      assert.ok(after[i].rmse < 0.03, `${plants[i].plantId}: RMSE ${after[i].rmse} after retraining`);
      // Shared ln k1 and the plants' ln activity trade off (one common scale): compare activity ratios to the fresh plant.
      const ratio = after[i].activity / after[0].activity;
      assert.ok(Math.abs(ratio - activity(streamLength)) < 0.1, `${plants[i].plantId} activity ratio ${ratio}`);
    }
    assert.ok(after[0].rmse < 0.03, `the fresh plant stays accurate: ${after[0].rmse}`);
    // Monitors were reset after retraining.
    assert.equal(monitors[1].status().samples, 0);
  });
});
