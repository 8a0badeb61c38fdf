import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eafPaperPreset } from '../process/presets/eaf.js';
import { nominalPractice, simulateHeat } from '../process/eaf/heat.js';
import { Tensor } from '../tensor/tensor.js';
import { eafFleetSplits, obsoleteScrapGrades } from '../study/eaf-charge.js';
import { federatedEafFit } from '../study/eaf-charge-federation.js';
import { decodeEafChargeModel, encodeEafChargeModel } from '../study/eaf-charge-model-file.js';
import { referenceContentPrior } from '../study/eaf-charge-study.js';
import { optimizeCommand } from './optimize.js';

let fitted: Promise<string> | undefined;

/** One small federated fit for all tests (3 bootstrap members), written as plant-a's model file in `dir`. */
async function modelFile(dir: string): Promise<{ path: string; text: string }> {
  fitted ??= fitPlantA();
  const text = await fitted;
  const path = join(dir, 'plant-a.charge-model.json');
  writeFileSync(path, text);
  return { path, text };
}

async function fitPlantA(): Promise<string> {
  const configs = eafPaperPreset().map((c, i) => ({ ...c, samples: [300, 200, 120][i] }));
  const { plants, materials } = eafFleetSplits(configs, 5);
  const fit = await federatedEafFit(plants, { materials, obsolete: obsoleteScrapGrades, members: 3, rounds: 40, seed: 5, prior: referenceContentPrior(materials) });
  return encodeEafChargeModel('plant-a', fit.members.map((m) => ({ coefficients: m.coefficients, factors: m.factors['plant-a'] })));
}

test('a charge-model file round-trips to the same predictions, and a broken one is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-charge-'));
  const { text } = await modelFile(dir);
  const a = decodeEafChargeModel(text);
  const b = decodeEafChargeModel(encodeEafChargeModel(a.plantId, a.members));
  const x = new Tensor(1, a.materials.length + 3, Float64Array.from({ length: a.materials.length + 3 }, (_, j) => (j < 4 ? 25 : j >= a.materials.length ? [4000, 500, 50][j - a.materials.length] : 0)));
  assert.deepEqual(Array.from(b.surrogate.predict(x).data), Array.from(a.surrogate.predict(x).data));
  assert.ok(b.surrogate.predictStd !== undefined);
  const broken = JSON.parse(text);
  broken.members[0].coefficients.yield = [1, 2];
  assert.throws(() => decodeEafChargeModel(JSON.stringify(broken), 'm.json'), /m\.json: members\[0\]\.coefficients\.yield has 2 values, expected 12/);
  assert.throws(() => decodeEafChargeModel('{"format": "other"}', 'm.json'), /m\.json: not a Crucible EAF charge model \(format/);
});

test('crucible optimize charge recommends a charge, scores it on the true simulator against the exact optimum, and draws the Pareto front', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-charge-'));
  const { path } = await modelFile(dir);
  const config = eafPaperPreset()[0];
  writeFileSync(join(dir, 'plant.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'spec.yaml'), 'steelT: 108\nelements:\n  Cu: { max: 0.0018 }\n  Sn: { max: 0.00018 }\n  C: { min: 0.0005 }\n');
  const out = join(dir, 'charge.json');
  const svg = join(dir, 'pareto.svg');
  await optimizeCommand().parseAsync(['charge', '--model', path, '--spec', join(dir, 'spec.yaml'), '--plant-config', join(dir, 'plant.json'), '--pareto', '2', '--svg', svg, '--out', out, '--quiet'], { from: 'user' });
  const r = JSON.parse(readFileSync(out, 'utf8'));
  const heat = simulateHeat(config.plant, r.recommendation.chargeT, nominalPractice(config.plant, 108));
  assert.ok(Math.abs(r.truth.trueCostUsd - heat.costUsd) < 1e-6 * heat.costUsd, 'the true outcome is the simulator’s');
  assert.ok(r.truth.exactCostUsd <= r.truth.trueCostUsd + 1e-6, 'no charge beats the exact optimum on the truth');
  assert.ok(Number.isFinite(r.truth.costGapPercent) && Array.isArray(r.truth.violations));
  assert.equal(r.recommendation.method, 'sequential-lp');
  assert.ok(r.recommendation.constraints.some((c: { confidence?: number }) => c.confidence === 0.975));
  assert.ok(r.pareto.model.length >= 2 && r.pareto.exact.length >= 2);
  const drawn = readFileSync(svg, 'utf8');
  assert.match(drawn, /^<svg[^>]*>/);
  assert.match(drawn, /exact \(simulator LP\)/);
});

test('a bad spec or plant file is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-charge-'));
  const { path } = await modelFile(dir);
  writeFileSync(join(dir, 'plant.json'), JSON.stringify(eafPaperPreset()[0]));
  writeFileSync(join(dir, 'spec.yaml'), 'steelT: -5\n');
  await assert.rejects(optimizeCommand().parseAsync(['charge', '--model', path, '--spec', join(dir, 'spec.yaml'), '--plant-config', join(dir, 'plant.json'), '--quiet'], { from: 'user' }), /spec\.yaml: steelT:/);
  writeFileSync(join(dir, 'spec.yaml'), 'steelT: 100\n');
  writeFileSync(join(dir, 'bad-plant.json'), '{"plantId": "x"}');
  await assert.rejects(optimizeCommand().parseAsync(['charge', '--model', path, '--spec', join(dir, 'spec.yaml'), '--plant-config', join(dir, 'bad-plant.json'), '--quiet'], { from: 'user' }), /bad-plant\.json: neither an EAF plant config nor an EAF plant/);
});
