import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { Flowsheet } from '../flowsheet.js';
import { SequentialModular } from '../sequential.js';
import { assertConverged, solveTears } from '../solvers.js';
import { generateCumeneData } from './data.js';
import { cumeneFlowsheetSpec, cumeneInputs, cumeneUnitModels, nominalCumeneConditions, sampleCumeneConditions, simulateCumene } from './process.js';
import { T, alkylate, benzeneMakeup, mix, molarMass, numericUnit, splitModel, transalkylationExtent } from './units.js';

// Stoichiometry (rows: B, P, propane, C, DIPB) of alkylation, DIPB formation, transalkylation.
const nu = [
  [-1, 0, -1],
  [-1, -1, 0],
  [0, 0, 0],
  [1, -1, 2],
  [0, 1, -1],
];

test('the cumene plant closes every component balance to 1e-9 kmol/h over randomized operating points', () => {
  const conditions = [nominalCumeneConditions, ...sampleCumeneConditions(25, 11)];
  const sim = simulateCumene(conditions);
  const params = sim.inputs.parameters;
  conditions.forEach((c, k) => {
    const s = (name: string): Float64Array => sim.streams[name][k];
    const makeup = benzeneMakeup([s('propyleneFeed'), s('benzeneRecycle')], c.benzeneRatio);
    const { extents } = alkylate(s('reactorFeed'), params.R1.data.subarray(3 * k, 3 * k + 3));
    const xi = [extents[0], extents[1], transalkylationExtent(s('transalkylatorFeed'), c.transalkylatorConversion)];
    for (let i = 0; i < T; i++) {
      const fed = s('propyleneFeed')[i] + (i === 0 ? makeup : 0);
      const left = s('offgas')[i] + s('cumene')[i] + s('heavies')[i];
      const made = nu[i][0] * xi[0] + nu[i][1] * xi[1] + nu[i][2] * xi[2];
      assert.ok(Math.abs(fed - left + made) < 1e-9, `case ${k}, component ${i}: imbalance ${fed - left + made}`);
    }
    // Mass is conserved exactly by every reaction with these molar masses.
    const mass = (v: Float64Array): number => molarMass.reduce((m, w, i) => m + w * v[i], 0);
    const massIn = mass(s('propyleneFeed')) + molarMass[0] * makeup;
    const massOut = mass(s('offgas')) + mass(s('cumene')) + mass(s('heavies'));
    assert.ok(Math.abs(massIn - massOut) < 1e-9 * massIn, `case ${k}: mass in ${massIn}, out ${massOut}`);
  });
});

test('the nominal plant converts most propylene and makes cumene of high purity', () => {
  const sim = simulateCumene([nominalCumeneConditions]);
  const cumene = sim.streams.cumene[0];
  const feed = sim.streams.propyleneFeed[0];
  const total = cumene.subarray(0, T).reduce((a, b) => a + b, 0);
  assert.ok(cumene[3] / feed[1] > 0.95, `cumene yield ${cumene[3] / feed[1]}`);
  assert.ok(cumene[3] / total > 0.99, `purity ${cumene[3] / total}`);
  // The make-up controller holds the benzene/propylene ratio at the reactor inlet.
  const r = sim.streams.reactorFeed[0];
  assert.ok(Math.abs(r[0] / r[1] - nominalCumeneConditions.benzeneRatio) < 1e-12);
});

test('the per-unit data generator is reproducible from its seed and consistent with the flowsheet', () => {
  const a = generateCumeneData({ cases: 8, seed: 5, spread: 0.3 });
  const b = generateCumeneData({ cases: 8, seed: 5, spread: 0.3 });
  assert.deepEqual(a.units.R1.inputs.data, b.units.R1.inputs.data);
  assert.equal(a.units.R1.inputs.cols, 7 + 3);
  assert.equal(a.units.C1.outputs.cols, 14);
  // C1's inlet is the tear stream; its top outlet is SP's inlet.
  assert.deepEqual(a.units.C1.inputs.data.subarray(0, 7), a.tears.data.subarray(0, 7));
  assert.deepEqual(a.units.C1.outputs.data.subarray(0, 7), a.units.SP.inputs.data.subarray(0, 7));
  const c = generateCumeneData({ cases: 8, seed: 6, spread: 0.3 });
  assert.notDeepEqual(a.units.R1.inputs.data, c.units.R1.inputs.data);
});

test('without the make-up controller and with no benzene purge the recycle snowballs: NOT_CONVERGED names the tear, no hang', () => {
  // Fixed fresh benzene (250 kmol/h) exceeds what the reactors can consume, and every column returns
  // all benzene to the loop: benzene has nowhere to go, so there is no steady state.
  const units = {
    ...cumeneUnitModels(),
    MIX: numericUnit((inlets) => {
      const out = mix(inlets);
      out[0] += 250;
      return [out];
    }),
    FL: numericUnit(splitModel([0, 0.95, 0.97, 0, 0], { temperatureK: 320, pressureBar: 1.75 }, { temperatureK: 320, pressureBar: 1.75 })),
    C1: numericUnit(splitModel([1, 1, 1, 0.002, 0], { temperatureK: 350, pressureBar: 1 }, { temperatureK: 430, pressureBar: 1.2 })),
  };
  const sm = new SequentialModular(Flowsheet.from(cumeneFlowsheetSpec), units);
  const problem = sm.tearProblem(cumeneInputs([nominalCumeneConditions]));
  const x0 = new Float64Array(sm.tearSize);
  x0[0] = 200;
  for (const method of ['direct', 'wegstein'] as const) {
    const started = Date.now();
    const sol = solveTears(problem, x0, { method, maxIterations: 150 });
    assert.notEqual(sol.cases[0].status, 'converged');
    assert.ok(Date.now() - started < 5000);
    assert.throws(
      () => assertConverged(sol, problem),
      (e: unknown) => isCrucibleError(e, 'NOT_CONVERGED') && /benzeneColumnFeed\[benzene\]/.test(e.message) && (e.details.residualHistory as number[]).length > 1,
    );
  }
});
