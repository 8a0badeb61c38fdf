import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eafPaperPreset } from '../presets/eaf.js';
import { generateEafHeats, type EafPlantConfig } from './heatLog.js';
import { simulateHeat } from './heat.js';

const [shopA] = eafPaperPreset();

test('heat records are reproducible from the seed', () => {
  const a = generateEafHeats(shopA, { seed: 4, samples: 50 });
  const b = generateEafHeats(shopA, { seed: 4, samples: 50 });
  for (const c of a.columns) assert.deepEqual(a.values[c], b.values[c], c);
});

test('with silent sensors and uniform scrap the records are the simulator’s outputs for the recorded charge', () => {
  const cfg: EafPlantConfig = {
    ...shopA,
    variability: { ...shopA.variability, compositionRelStd: 0 },
    sensors: { chemistryRelStd: 0, chemistryRelBias: 0, scaleStdT: 0, energyMeterRelStd: 0 },
  };
  const ds = generateEafHeats(cfg, { seed: 9, samples: 20 });
  for (let k = 0; k < 20; k++) {
    const charge = Object.fromEntries(cfg.plant.materials.map((m) => [m.id, ds.values[`charge_${m.id}_t`][k]]));
    const h = simulateHeat(cfg.plant, charge, { oxygenNm3: ds.values.oxygen_Nm3[k], burnerGasNm3: ds.values.burner_gas_Nm3[k], tapToTapMin: ds.values.tap_to_tap_min[k] });
    assert.ok(Math.abs(ds.values.steel_t[k] - h.steelT) < 1e-9);
    assert.ok(Math.abs(ds.values.energy_kWh_per_t[k] - h.electricKWhPerT) < 1e-9);
    assert.ok(Math.abs(ds.values.tap_Cu_wtpct[k] - 100 * h.tap.Cu) < 1e-12);
  }
});

test('scrap scatter makes the actual copper differ from the expected, around it without bias', () => {
  const ds = generateEafHeats(shopA, { seed: 1, samples: 400 });
  let diff = 0, absDiff = 0;
  for (let k = 0; k < ds.rowCount; k++) {
    const d = ds.truth.actual_tap_Cu_wtpct[k] - ds.truth.tap_Cu_wtpct[k];
    diff += d;
    absDiff += Math.abs(d);
  }
  assert.ok(absDiff / ds.rowCount > 0.005, 'scatter present');
  assert.ok(Math.abs(diff / ds.rowCount) < 0.2 * (absDiff / ds.rowCount), 'mean-preserving scatter');
});
