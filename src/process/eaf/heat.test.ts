import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eafPaperPreset } from '../presets/eaf.js';
import { eafElements } from './materials.js';
import { nominalPractice, simulateHeat } from './heat.js';

const [shopA, , shopC] = eafPaperPreset();
const plant = shopA.plant;
const charge = { shredded: 50, hms: 35, busheling: 10, pig_iron: 14, dri: 8, carburiser: 1.2, femn: 0.6, fesi: 0.2, turnings: 3 };

test('every element balances: charge in = steel + slag + dust + gas to 1e-9 relative', () => {
  const h = simulateHeat(plant, charge);
  for (const e of eafElements) {
    const out = h.elementSteel[e] + h.elementSlag[e] + h.elementDust[e] + h.elementGas[e];
    assert.ok(Math.abs(h.elementIn[e] - out) <= 1e-9 * h.elementIn[e], `${e}: in ${h.elementIn[e]} out ${out}`);
  }
  // Total mass: charge = elements in + gangue.
  const elementsIn = eafElements.reduce((s, e) => s + h.elementIn[e], 0);
  assert.ok(Math.abs(h.chargeT - elementsIn - h.gangueT) <= 1e-9 * h.chargeT);
  assert.ok(h.balanceResidual <= 1e-12);
});

test('tap chemistry sums to one, tramp elements are not removed, and oxidisable ones partly are', () => {
  const h = simulateHeat(plant, charge);
  const sum = eafElements.reduce((s, e) => s + h.tap[e], 0);
  assert.ok(Math.abs(sum - 1) < 1e-12);
  for (const e of ['Cu', 'Sn', 'Ni', 'Mo'] as const) assert.ok(Math.abs(h.elementSteel[e] - h.elementIn[e]) <= 1e-12 * h.elementIn[e]);
  for (const e of ['C', 'Si', 'Mn', 'Cr'] as const) assert.ok(h.elementSteel[e] < h.elementIn[e]);
});

test('yield, energy, cost and CO2 of a typical scrap charge are in the published ranges of EAF practice', () => {
  const h = simulateHeat(plant, charge);
  assert.ok(h.metallicYield > 0.88 && h.metallicYield < 0.97, `yield ${h.metallicYield}`);
  assert.ok(h.electricKWhPerT > 330 && h.electricKWhPerT < 520, `kWh/t ${h.electricKWhPerT}`);
  // IPCC Tier-1 global average is 1.06 t CO2/t for steel; a scrap EAF is well below it.
  assert.ok(h.co2T / h.steelT > 0.2 && h.co2T / h.steelT < 1.06, `CO2 ${h.co2T / h.steelT}`);
});

test('the heat is affine in the charge: outputs of a sum of charges add up with the practice counted once', () => {
  const a = { shredded: 40, pig_iron: 10 }, b = { hms: 30, dri: 20 };
  const practice = nominalPractice(plant, 90);
  const zero = { tapToTapMin: 0, oxygenNm3: 0, burnerGasNm3: 0 };
  const ha = simulateHeat(plant, a, zero), hb = simulateHeat(plant, b, zero);
  const hab = simulateHeat(plant, { ...a, ...b }, practice);
  const hp = simulateHeat(plant, {}, practice);
  assert.ok(Math.abs(hab.steelT - ha.steelT - hb.steelT) < 1e-9);
  assert.ok(Math.abs(hab.electricKWh - ha.electricKWh - hb.electricKWh - hp.electricKWh) < 1e-6);
  assert.ok(Math.abs(hab.costUsd - ha.costUsd - hb.costUsd - hp.costUsd) < 1e-6);
});

test('DRI needs more electricity per tonne than scrap, pig iron less (its carbon and silicon burn)', () => {
  const per = (c: Record<string, number>): number => simulateHeat(plant, c, { tapToTapMin: 0, oxygenNm3: 0, burnerGasNm3: 0 }).electricKWhPerT;
  assert.ok(per({ dri: 10 }) > per({ shredded: 10 }));
  assert.ok(per({ pig_iron: 10 }) < per({ shredded: 10 }));
});

test('poorer scrap at another shop gives more copper in the steel from the same charge', () => {
  const cu = (p: typeof plant): number => simulateHeat(p, { hms: 60, shredded: 40 }).tap.Cu;
  assert.ok(cu(shopC.plant) > 1.5 * cu(plant));
});

test('an unknown material in a charge is named in the error', () => {
  assert.throws(() => simulateHeat(plant, { unobtainium: 5 }), /unknown material 'unobtainium'.*plant-a|plant-a.*unobtainium/);
});
