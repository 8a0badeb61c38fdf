import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eafPaperPreset } from '../process/presets/eaf.js';
import { generateEafHeats } from '../process/eaf/heatLog.js';
import { optimizeCharge } from '../optimize/charge.js';
import { add, mul } from '../tensor/ops/index.js';
import { Tensor } from '../tensor/tensor.js';
import { eafChargeProblem, eafTrueSurrogate } from './eaf-charge.js';
import { eafPredictiveCoverage } from './eaf-charge-coverage.js';
import { eafValidationFleet, fitEafStudyModels, studySpec } from './eaf-charge-study.js';

test('coverage is scored against the simulator’s expected chemistry: the simulator itself has z = 0 at every heat', () => {
  const [a] = eafPaperPreset();
  const ds = generateEafHeats(a, { seed: 4, samples: 20 });
  const inputs = [...a.plant.materials.map((m) => `charge_${m.id}_t`), 'oxygen_Nm3', 'burner_gas_Nm3', 'tap_to_tap_min'];
  const x = new Tensor(20, inputs.length, Float64Array.from({ length: 20 * inputs.length }, (_, i) => ds.values[inputs[i % inputs.length]][Math.floor(i / inputs.length)]));
  const truth = eafTrueSurrogate(a.plant);
  const withSd = { ...truth, predictStd: (t: Tensor) => add(mul(truth.predict(t), 0), 0.01) };
  for (const c of eafPredictiveCoverage(a.plant, x, withSd)) {
    assert.ok(Math.abs(c.rmsZ) < 1e-6, `${c.output}: rms z ${c.rmsZ}`);
    assert.equal(c.covered, 1);
  }
  assert.throws(() => eafPredictiveCoverage(a.plant, new Tensor(1, 3), withSd), /expected \d+ \(charges of/);
});

test('more seeded starts of the chance-constrained sequential LP find a cheaper certified charge', async () => {
  // A small federated fit of the validation fleet (4 members, 20 rounds) and plant-a's spec at 97.5 %.
  const { scenario, models } = await fitEafStudyModels({ plants: eafValidationFleet(), seed: 11, methods: ['federated'], members: 4, rounds: 20 });
  const p = scenario.plants[0];
  const m = models.federated![p.plantId];
  const spec = { ...studySpec, steelT: Math.round(0.9 * p.config.chargeT) };
  const problem = eafChargeProblem(p.config.plant, spec, { confidence: 0.975, usable: m.known });
  const two = await optimizeCharge(problem, m.surrogate, { randomStarts: 2 });
  const six = await optimizeCharge(problem, m.surrogate, { randomStarts: 6 });
  assert.ok(six.costUsd < two.costUsd - 10, `6 starts $${six.costUsd.toFixed(1)} vs 2 starts $${two.costUsd.toFixed(1)}`);
  // Certified on the model: every chemistry limit holds with its back-off 1.96·sd, and the tap weight.
  const z = 1.959963984540054;
  for (const [output, b] of Object.entries(problem.chemistry)) {
    const mu = six.result.predicted[output];
    const sd = six.result.uncertainty![output];
    if (b.max !== undefined) assert.ok(mu + z * sd <= b.max * (1 + 1e-5), `${output} ${mu} + ${z}·${sd} > ${b.max}`);
    if (b.min !== undefined) assert.ok(mu - z * sd >= b.min * (1 - 1e-5), `${output} ${mu} − ${z}·${sd} < ${b.min}`);
  }
  assert.ok(six.result.predicted.steel_t - z * six.result.uncertainty!.steel_t >= spec.steelT * (1 - 1e-5));
});
