import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { eafPaperPreset } from '../presets/eaf.js';
import { simulateHeat, type EafPlant } from './heat.js';
import { optimalCharge, type EafSpec } from './optimalCharge.js';
import { eafElements } from './materials.js';

const plant = eafPaperPreset()[0].plant;
const rebar: EafSpec = {
  steelT: 100,
  elements: { Cu: { max: 0.0018 }, Sn: { max: 0.00018 }, Ni: { max: 0.0012 }, C: { min: 0.0005, max: 0.003 }, Mn: { min: 0.002 } },
};

test('the LP charge meets the spec and its cost equals the simulator’s cost of that charge', async () => {
  const best = await optimalCharge(rebar, plant);
  const h = simulateHeat(plant, best.chargeT);
  assert.ok(Math.abs(h.steelT - 100) < 1e-6, `steel ${h.steelT}`);
  for (const e of eafElements) {
    const b = rebar.elements?.[e];
    if (b?.max !== undefined) assert.ok(h.tap[e] <= b.max + 1e-9, `${e} ${h.tap[e]}`);
    if (b?.min !== undefined) assert.ok(h.tap[e] >= b.min - 1e-9, `${e} ${h.tap[e]}`);
  }
  assert.ok(Math.abs(best.costUsd - h.costUsd) < 1e-6 * h.costUsd, `${best.costUsd} vs ${h.costUsd}`);
  for (const m of plant.materials) assert.ok((best.chargeT[m.id] ?? 0) <= m.availabilityT + 1e-9);
});

test('on a three-material shop the LP optimum matches an exhaustive search of the simulator', async () => {
  const small: EafPlant = { ...plant, materials: plant.materials.filter((m) => ['shredded', 'busheling', 'pig_iron'].includes(m.id)).map((m) => ({ ...m, availabilityT: 200 })) };
  const spec: EafSpec = { steelT: 100, elements: { Cu: { max: 0.0012 } } };
  const best = await optimalCharge(spec, small);
  // Brute force: choose shredded and pig iron on a grid, busheling from the steel equation.
  const one = (id: string): number => simulateHeat(small, { [id]: 1 }, { oxygenNm3: 0, burnerGasNm3: 0, tapToTapMin: 0 }).steelT;
  const yS = one('shredded'), yB = one('busheling'), yP = one('pig_iron');
  let bruteBest = Infinity;
  for (let s = 0; s <= 110; s += 0.5) {
    for (let p = 0; p <= 60; p += 0.5) {
      const b = (100 - yS * s - yP * p) / yB;
      if (b < 0) continue;
      const h = simulateHeat(small, { shredded: s, pig_iron: p, busheling: b });
      if (h.tap.Cu <= 0.0012 + 1e-12) bruteBest = Math.min(bruteBest, h.costUsd);
    }
  }
  assert.ok(best.costUsd <= bruteBest + 1e-6, `LP ${best.costUsd} vs brute ${bruteBest}`);
  assert.ok(bruteBest - best.costUsd < 0.001 * best.costUsd, 'brute force within a grid step of the LP');
});

test('a CO2 cap is respected and can only raise the cost', async () => {
  const free = await optimalCharge({ steelT: 100, elements: { Cu: { max: 0.0015 }, C: { min: 0.0008 } } }, plant);
  const capped = await optimalCharge({ steelT: 100, elements: { Cu: { max: 0.0015 }, C: { min: 0.0008 } }, maxCo2TPerTSteel: 0.9 * free.heat.co2T / 100 }, plant);
  assert.ok(capped.heat.co2T / 100 <= 0.9 * free.heat.co2T / 100 + 1e-9);
  assert.ok(capped.costUsd >= free.costUsd - 1e-6);
});

test('a spec no charge can meet is reported as INFEASIBLE naming the plant', async () => {
  await assert.rejects(
    optimalCharge({ steelT: 100, elements: { Cu: { max: 0.00001 } }, availabilityT: { pig_iron: 0, dri: 0, hbi: 0 } }, plant),
    (e: unknown) => isCrucibleError(e, 'INFEASIBLE') && /plant-a/.test((e as Error).message),
  );
});

test('the LP text is CPLEX LP format with one bounded column per material', async () => {
  const best = await optimalCharge(rebar, plant);
  assert.match(best.lp, /^Minimize\n cost:/);
  assert.match(best.lp, /Subject To\n steel:/);
  for (const m of plant.materials) assert.match(best.lp, new RegExp(`0 <= x_${m.id} <= `));
});
