import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Adam } from '../../nn/adam.js';
import { fit } from '../../nn/fit.js';
import { createPlant } from '../../federation/plant.js';
import { InMemoryGrid } from '../../federation/in-memory-grid.js';
import { runFederation } from '../../federation/run.js';
import { fedAdam } from '../../federation/strategies/fed-opt.js';
import { lastRound } from '../../federation/test-support.js';
import { nominalVanDeVusse } from '../../process/vanDeVusse.js';
import { assertGradient } from '../../tensor/gradcheck.js';
import { concat } from '../../tensor/ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { cstrKineticsPlants, cstrSteadyStateData, kineticsStandardErrors, trueKinetics, vanDeVusseKineticsModel } from './cstr-kinetics.js';

const referenceTemperatureC = 113.5;
const truth = trueKinetics(nominalVanDeVusse, referenceTemperatureC);
const plants = cstrKineticsPlants(60);
const data = plants.map((p) => cstrSteadyStateData(p, { seed: 1 }));
const relErrors = (e: number[]): number[] => e.map((v, i) => Math.abs(v - truth.activationTemperatureK[i]) / truth.activationTemperatureK[i]);
const fmt = (v: number[], digits = 0): string => `[${v.map((x) => x.toFixed(digits)).join(', ')}]`;

describe('van de Vusse kinetics as a federated hybrid model', () => {
  it('reproduces the simulator steady state at the true kinetics', () => {
    const model = vanDeVusseKineticsModel({ referenceTemperatureC, initialRateAtReference: truth.logRateAtReference.map(Math.exp) as [number, number, number], initialActivationTemperatureK: truth.activationTemperatureK as [number, number, number] });
    const d = cstrSteadyStateData({ ...plants[1], samples: 5, concentrationNoise: 0, temperatureNoiseC: 0 }, { seed: 2 });
    const y = model.forward(d.x);
    for (let k = 0; k < y.size; k++) assert.ok(Math.abs(y.data[k] - d.trueY.data[k]) < 1e-6, `output ${k}: ${y.data[k]} vs ${d.trueY.data[k]}`);
  });

  it('has exact gradients with respect to its raw parameters and its inputs', () => {
    const model = vanDeVusseKineticsModel({ referenceTemperatureC });
    const x = new Tensor(4, 3, data[0].x.data.slice(0, 12));
    const [logRate, activation] = model.parameters.entries.map((e) => e.tensor);
    assertGradient(() => model.forward(x), [logRate, activation], { label: 'kinetics parameters' });
    assertGradient((xi) => model.forward(xi), [x], { label: 'kinetics inputs' });
  });

  it('recovers k(T_ref) and E federated across temperature bands, where each plant alone cannot', async () => {
    // Local-only fits: each plant on its own narrow temperature band.
    const local = data.map((d, i) => {
      const model = vanDeVusseKineticsModel({ referenceTemperatureC });
      fit(model, d.x, d.y, { epochs: 300, batchSize: 16, optimizer: new Adam(model.parameters, { lr: 0.02 }), seed: i });
      return { model, se: kineticsStandardErrors(model, d.x, 0.02) };
    });
    // Federated: local SGD, FedAdam at the server (Reddi et al. 2021), all parameters shared, no
    // feature scaling (physical units). Local Adam restarted every round would bias the fixed point:
    // its first steps are ≈ lr·sign(gradient), and averaging signs is a vote, not the pooled gradient.
    const factory = () => vanDeVusseKineticsModel({ referenceTemperatureC });
    const grid = new InMemoryGrid(plants.map((p, i) => createPlant({ plantId: p.plantId, data: data[i], model: factory, splitSeed: i, validationFraction: 0.2 })));
    const last = await lastRound(runFederation(grid, fedAdam({ serverLearningRate: 0.1 }), {
      runId: 'cstr-kinetics', rounds: 150, seed: 1, initialParameters: factory().parameters.get(),
      training: { epochs: 2, batchSize: 16, learningRate: 0.1, optimizer: 'sgd' }, minPlants: 3, evaluateEvery: 150,
      timeouts: { waitForPlantsMs: 1000, fitMs: 10_000, evaluateMs: 10_000 },
    }));
    const federated = factory();
    federated.parameters.set(last.globalParameters);
    const fedValues = federated.physicalValues();
    const fedSe = kineticsStandardErrors(federated, concat(data.map((d) => d.x), 0), 0.02);

    console.log(`  true        E/R [K] ${fmt(truth.activationTemperatureK)}  ln k(T_ref) ${fmt(truth.logRateAtReference, 3)}`);
    local.forEach(({ model, se }, i) => {
      const v = model.physicalValues();
      console.log(`  ${plants[i].plantId} local E/R [K] ${fmt(v.activationTemperatureK)} (±${fmt(se.activationTemperatureK)})  ln k ${fmt(v.logRateAtReference, 3)} rel. error of E ${fmt(relErrors(v.activationTemperatureK).map((e) => 100 * e), 1)} %`);
    });
    console.log(`  federated   E/R [K] ${fmt(fedValues.activationTemperatureK)} (±${fmt(fedSe.activationTemperatureK)})  ln k ${fmt(fedValues.logRateAtReference, 3)} rel. error of E ${fmt(relErrors(fedValues.activationTemperatureK).map((e) => 100 * e), 1)} %`);
    console.log(`  federated held-out RMSE ${last.evaluation!.weighted.rmse.toFixed(4)} mol/L (noise 0.02)`);

    // Federated: every E within 3 %, every ln k(T_ref) within 0.03 (k within 3 %).
    for (const e of relErrors(fedValues.activationTemperatureK)) assert.ok(e < 0.03, `federated E error ${(100 * e).toFixed(1)} % ≥ 3 %`);
    fedValues.logRateAtReference.forEach((a, i) => assert.ok(Math.abs(a - truth.logRateAtReference[i]) < 0.03, `ln k${i + 1}: ${a} vs ${truth.logRateAtReference[i]}`));
    // Local-only: every plant misses some E by more than the federated tolerance, and its data leave E
    // undetermined (standard errors ≥ 10× the federated ones).
    for (const [i, { model, se }] of local.entries()) {
      assert.ok(Math.max(...relErrors(model.physicalValues().activationTemperatureK)) > 0.05, `${plants[i].plantId} alone should not pin E`);
      se.activationTemperatureK.forEach((s, j) => assert.ok(s > 10 * fedSe.activationTemperatureK[j], `${plants[i].plantId}: se of E${j + 1} ${s} vs federated ${fedSe.activationTemperatureK[j]}`));
    }
    assert.ok(last.evaluation!.weighted.rmse < 0.03);
  });
});
