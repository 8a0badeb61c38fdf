import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scenario, scenarioFromConfigs } from './scenario.js';
import { nominalVanDeVusseInputs } from './vanDeVusse.js';
import { vanDeVusseConstrainedOptimum } from './vanDeVusseConstrainedOptimum.js';

const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;

test('a scenario is reproducible from its seed: same configs and same data; another seed differs', () => {
  for (const process of ['williams-otto', 'cstr', 'eaf'] as const) {
    const a = scenario(process, { seed: 5, plants: 2 });
    const b = scenario(process, { seed: 5, plants: 2 });
    const c = scenario(process, { seed: 6, plants: 2 });
    assert.deepEqual(a.plants.map((p) => p.config), b.plants.map((p) => p.config), process);
    assert.notDeepEqual(a.plants.map((p) => p.config), c.plants.map((p) => p.config), process);
    const da = a.plants[0].generate({ samples: 30 }), db = b.plants[0].generate({ samples: 30 });
    for (const col of da.columns) assert.deepEqual(da.values[col], db.values[col], `${process} ${col}`);
  }
});

test('the strongly heterogeneous CSTR preset has three plants that differ in kinetics, operating window and sample count', () => {
  const sc = scenario('cstr', { preset: 'strongly-heterogeneous', seed: 1 });
  assert.deepEqual(sc.plants.map((p) => p.plantId), ['plant-a', 'plant-b', 'plant-c']);
  const k1 = sc.plants.map((p) => p.config.parameters.preExponential[0]);
  assert.equal(new Set(k1).size, 3);
  const counts = sc.plants.map((p) => p.config.samples);
  assert.ok(Math.max(...counts) / Math.min(...counts) >= 5, `quantity skew ${counts}`);
  // Covariate shift: the mean dilution rate each plant runs at differs by more than the spread within a plant.
  const logs = sc.plants.map((p) => p.generate({ samples: 600 }));
  const meansD = logs.map((l) => mean(l.values.D_per_h));
  assert.ok(meansD[0] < meansD[1] && meansD[1] < meansD[2], `${meansD}`);
  // Different plants answer the same inputs differently (kinetics, size).
  const cB = sc.plants.map((p) => p.truth.steadyState(nominalVanDeVusseInputs).cB);
  assert.ok(Math.max(...cB) - Math.min(...cB) > 0.05, `${cB}`);
});

test('the arXiv 2604.26073 CSTR preset is one process in three windows: each optimum lies outside its own window, and the later campaign moves into conditions another plant has run', () => {
  const sc = scenario('cstr', { preset: 'arxiv-2604.26073', seed: 1 });
  const activity = sc.plants.map((p) => p.config.parameters.preExponential[0] / 1.287e12);
  assert.ok(Math.max(...activity) - Math.min(...activity) <= 0.05, `activities ${activity}`);
  const inside = (w: { dilutionPerH: number[]; jacketDutyKJPerH: number[] }, d: number, qk: number): boolean =>
    d >= w.dilutionPerH[0] && d <= w.dilutionPerH[1] && qk >= w.jacketDutyKJPerH[0] && qk <= w.jacketDutyKJPerH[1];
  // Windows in specific duty Qk/VR: compare plants of different sizes per litre.
  const perLitre = (w: { dilutionPerH: number[]; jacketDutyKJPerH: number[] }, v: number) => ({ dilutionPerH: w.dilutionPerH, jacketDutyKJPerH: w.jacketDutyKJPerH.map((q) => q / v) });
  for (const p of sc.plants) {
    const v = p.config.parameters.reactorVolumeL;
    const feed = { feedConcentration: p.config.feed.concentrationMean, feedTemperatureC: p.config.feed.temperatureMeanC };
    const opt = vanDeVusseConstrainedOptimum(p.config.parameters, { feed, limits: { maxTemperatureC: 113 } });
    assert.ok(!inside(p.config.window, opt.dilutionPerH, opt.jacketDutyKJPerH), `${p.plantId}: optimum inside its own window`);
    const later = perLitre(p.config.campaigns[0].window, v);
    const others = sc.plants.filter((o) => o !== p).map((o) => perLitre(o.config.window, o.config.parameters.reactorVolumeL));
    const overlaps = others.some((w) => later.dilutionPerH[0] < w.dilutionPerH[1] && w.dilutionPerH[0] < later.dilutionPerH[1] && later.jacketDutyKJPerH[0] < w.jacketDutyKJPerH[1] && w.jacketDutyKJPerH[0] < later.jacketDutyKJPerH[1]);
    assert.ok(overlaps, `${p.plantId}: later window overlaps no other plant's window`);
  }
  // The log really moves: after the campaign starts every setpoint lies in the later window.
  const a = sc.plants[0];
  const log = a.generate();
  const fromRow = Math.ceil((a.config.campaigns[0].fromH * 3600) / a.config.samplingIntervalS) + 1;
  const w = a.config.campaigns[0].window;
  const noise = 4 * a.config.sensors.D.noiseStd;
  for (let k = fromRow; k < log.rowCount; k++) assert.ok(log.values.D_per_h[k] >= w.dilutionPerH[0] - noise && log.values.D_per_h[k] <= w.dilutionPerH[1] + noise, `row ${k}`);
});

test('random Williams–Otto plants have different true optima, so one global setpoint cannot be right for all', () => {
  const sc = scenario('williams-otto', { seed: 3, plants: 3 });
  const optima = sc.plants.map((p) => p.truth.optimum({ constrained: false }));
  const fb = optima.map((o) => o.feedBKgPerS);
  assert.ok(Math.max(...fb) - Math.min(...fb) > 0.1, `${fb}`);
});

test('the EAF preset shops differ in scrap quality and their truth optimises a charge per shop', async () => {
  const sc = scenario('eaf', { preset: 'arxiv-2604.26073' });
  const cuShredded = sc.plants.map((p) => p.config.plant.materials.find((m) => m.id === 'shredded')!.composition.Cu);
  assert.ok(cuShredded[2] > cuShredded[0] * 1.5);
  const spec = { steelT: 100, elements: { Cu: { max: 0.0025 }, C: { min: 0.0005, max: 0.003 } } };
  const costs = await Promise.all(sc.plants.map(async (p) => (await p.truth.optimalCharge(spec)).costUsd));
  assert.equal(new Set(costs.map((c) => c.toFixed(2))).size, 3);
});

test('the homogeneous preset gives identical plants (an IID baseline)', () => {
  const sc = scenario('williams-otto', { preset: 'homogeneous', plants: 4 });
  const [first, ...rest] = sc.plants.map((p) => ({ ...p.config, plantId: '' }));
  for (const c of rest) assert.deepEqual(c, first);
});

test('every generated dataset names units and bounds for each column and its values lie within the bounds', () => {
  for (const process of ['williams-otto', 'cstr', 'eaf'] as const) {
    const sc = scenario(process, { preset: 'arxiv-2604.26073', seed: 2 });
    for (const p of sc.plants) {
      const ds = p.generate({ samples: 100 });
      assert.deepEqual([...ds.inputs, ...ds.outputs].every((c) => ds.columns.includes(c)), true);
      for (const c of ds.columns) {
        assert.ok(ds.units[c], `${process} ${c} unit`);
        const [lo, hi] = ds.bounds[c];
        for (const v of ds.values[c]) assert.ok(v >= lo && v <= hi, `${process}/${p.plantId}/${c}: ${v} outside [${lo}, ${hi}]`);
        assert.equal(ds.values[c].length, ds.rowCount);
      }
    }
  }
});

test('three preset plants of every process generate the sample counts their configs give', () => {
  for (const process of ['williams-otto', 'cstr', 'eaf'] as const) {
    for (const p of scenario(process, { preset: 'arxiv-2604.26073' }).plants) {
      const ds = p.generate();
      assert.equal(ds.rowCount, (p.config as { samples: number }).samples, `${process} ${p.plantId}`);
      for (const c of ds.columns) assert.equal(ds.values[c].length, ds.rowCount);
    }
  }
});

test('an invalid plant config is rejected naming its index and field', () => {
  const good = scenario('williams-otto', { preset: 'homogeneous', plants: 1 }).plants[0].config;
  const bad = { ...good, window: { ...good.window, feedB: [5, 4] } };
  assert.throws(() => scenarioFromConfigs('williams-otto', [good, bad]), /plant config #1: window\.feedB/);
  assert.throws(() => scenarioFromConfigs('williams-otto', [good, good]), /duplicate plantId/);
  assert.throws(() => scenario('cstr', { plants: 0 }), /positive integer/);
});
