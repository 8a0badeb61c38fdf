import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eafPaperPreset } from '../process/presets/eaf.js';
import { simulateHeat } from '../process/eaf/heat.js';
import { parseSetpointProblem } from '../optimize/problem.js';
import { sameProcessFleet } from './williams-otto-fleet.js';
import { evaluateOnTruth, trueOutcome } from './true-outcome.js';

test('the true outcome is the simulator’s, under the data columns’ names', () => {
  const [wo] = sameProcessFleet();
  const t = trueOutcome('williams-otto', wo, { FB_kg_per_s: 4.9, TR_degC: 84 });
  assert.ok(t.xG > 0.07 && t.xG < 0.09 && Number.isFinite(t.profit_usd_per_s));
  const [eaf] = eafPaperPreset();
  const charge = { charge_hms_t: 50, charge_shredded_t: 40, charge_pig_iron_t: 20, oxygen_Nm3: 4000, burner_gas_Nm3: 500, tap_to_tap_min: 50 };
  const e = trueOutcome('eaf', eaf, charge);
  const heat = simulateHeat(eaf.plant, { hms: 50, shredded: 40, pig_iron: 20 }, { oxygenNm3: 4000, burnerGasNm3: 500, tapToTapMin: 50 });
  assert.equal(e.steel_t, heat.steelT);
  assert.equal(e.tap_Cu_wtpct, 100 * heat.tap.Cu);
  assert.throws(() => trueOutcome('williams-otto', wo, { FB_kg_per_s: 4.9 }), /no input 'TR_degC'/);
});

test('on the truth a chance constraint is checked as written, without its back-off', () => {
  const problem = parseSetpointProblem({ variables: { FB_kg_per_s: { min: 3, max: 6 } }, objective: { maximize: 'xP' }, constraints: [{ expression: 'xG <= 0.08', confidence: 0.99 }] });
  const at = evaluateOnTruth(problem, { FB_kg_per_s: 5, xG: 0.0799, xP: 0.1 });
  assert.equal(at.objective, 0.1);
  assert.ok(at.constraints[0].met && Math.abs(at.constraints[0].value + 0.0001) < 1e-15);
  assert.equal(evaluateOnTruth(problem, { FB_kg_per_s: 5, xG: 0.0801, xP: 0.1 }).constraints[0].met, false);
});
