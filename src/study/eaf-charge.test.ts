import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eafPaperPreset } from '../process/presets/eaf.js';
import { generateEafHeats } from '../process/eaf/heatLog.js';
import { materialCoefficients, nominalPractice, simulateHeat } from '../process/eaf/heat.js';
import { eafElements } from '../process/eaf/materials.js';
import { optimalCharge } from '../process/eaf/optimalCharge.js';
import { chargeParetoFront, optimizeCharge } from '../optimize/charge.js';
import { Tensor } from '../tensor/tensor.js';
import { assertGradient } from '../tensor/gradcheck.js';
import { eafChargeProblem, eafTrueSurrogate } from './eaf-charge.js';
import { eafCoefficientSurrogate, eafChargeColumns, eafModelElements, neutralFactors } from './eaf-charge-model.js';
import { studySpec } from './eaf-charge-study.js';

const [a, , c] = eafPaperPreset();
const spec = { ...studySpec, steelT: 108 };

test('the charge model with the simulator’s own coefficients reproduces every heat output exactly', () => {
  const plant = a.plant;
  const k = plant.materials.map((m) => materialCoefficients(plant, m));
  const coefficients = {
    materials: plant.materials.map((m) => m.id), obsolete: [], known: plant.materials.map((m) => m.id),
    content: Float64Array.from({ length: k.length * eafModelElements.length }, (_, i) => k[Math.floor(i / eafModelElements.length)].steel[eafModelElements[i % eafModelElements.length]]),
    yield: Float64Array.from(k, (q) => eafElements.reduce((s, e) => s + q.steel[e], 0)),
    meltEnergy: Float64Array.from(k, (q) => q.electricKWh),
  };
  const unit = (o: number, g: number, t: number): number => simulateHeat(plant, {}, { oxygenNm3: o, burnerGasNm3: g, tapToTapMin: t }).electricKWh;
  const factors = { ...neutralFactors(), energy: { scale: 1, practice: Float64Array.of(unit(1, 0, 0), unit(0, 1, 0), unit(0, 0, 1)), perHeatKWh: 0 } };
  const model = eafCoefficientSurrogate(coefficients, factors);
  const ds = generateEafHeats({ ...a, variability: { ...a.variability, compositionRelStd: 0 } }, { seed: 2, samples: 5 });
  const { inputs, outputs } = eafChargeColumns(coefficients.materials);
  const x = new Tensor(5, inputs.length, Float64Array.from({ length: 5 * inputs.length }, (_, i) => ds.values[inputs[i % inputs.length]][Math.floor(i / inputs.length)]));
  const y = model.predict(x).data;
  outputs.forEach((name, j) => {
    for (let r = 0; r < 5; r++) {
      const expected = ds.truth[name][r];
      assert.ok(Math.abs(y[r * outputs.length + j] - expected) < 1e-9 * Math.max(1, Math.abs(expected)), `${name} heat ${r}: ${y[r * outputs.length + j]} vs ${expected}`);
    }
  });
  assertGradient((xi) => model.predict(xi), [new Tensor(2, inputs.length, x.data.slice(0, 2 * inputs.length), { requiresGrad: true })], { label: 'charge model inputs', tolerance: 1e-5 });
});

test('on the simulator itself, the sequential-LP charge equals the exact LP optimum (cost, CO2, every tonne)', async () => {
  for (const config of [a, c]) {
    const s = { ...spec, steelT: Math.round(0.9 * config.chargeT) };
    const exact = await optimalCharge(s, config.plant);
    const rec = await optimizeCharge(eafChargeProblem(config.plant, s), eafTrueSurrogate(config.plant));
    const heat = simulateHeat(config.plant, rec.chargeT, nominalPractice(config.plant, s.steelT));
    assert.ok(Math.abs(rec.costUsd - exact.costUsd) < 1e-6 * exact.costUsd, `${config.plant.plantId}: ${rec.costUsd} vs ${exact.costUsd}`);
    assert.ok(Math.abs(heat.costUsd - exact.costUsd) < 1e-6 * exact.costUsd);
    assert.ok(Math.abs(rec.co2T - heat.co2T) < 1e-9 * heat.co2T, `CO2 ${rec.co2T} vs simulator ${heat.co2T}`);
    for (const id of new Set([...Object.keys(exact.chargeT), ...Object.keys(rec.chargeT)])) {
      assert.ok(Math.abs((rec.chargeT[id] ?? 0) - (exact.chargeT[id] ?? 0)) < 1e-5, `${id}: ${rec.chargeT[id]} vs ${exact.chargeT[id]}`);
    }
  }
});

test('the cost–CO2 front on the simulator lies on the exact ε-constraint front and trades cost for CO2', async () => {
  const front = await chargeParetoFront(eafChargeProblem(a.plant, spec), eafTrueSurrogate(a.plant), { points: 4 });
  assert.ok(front.length >= 3, `${front.length} points`);
  const sorted = [...front].sort((p, q) => p.recommendation.co2T - q.recommendation.co2T);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].recommendation.costUsd <= sorted[i - 1].recommendation.costUsd + 1e-6, 'less CO2 costs more');
  for (const p of front.filter((q) => Number.isFinite(q.maxCo2T))) {
    const exact = await optimalCharge({ ...spec, maxCo2TPerTSteel: p.maxCo2T / spec.steelT }, a.plant);
    assert.ok(Math.abs(p.recommendation.costUsd - exact.costUsd) < 1e-5 * exact.costUsd, `cap ${p.maxCo2T}: ${p.recommendation.costUsd} vs ${exact.costUsd}`);
  }
});
