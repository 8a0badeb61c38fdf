import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cstrHeterogeneousPreset } from './presets/cstr.js';
import { generateCstrLog, type CstrPlantConfig } from './vanDeVusseLog.js';

const [plantA, plantB] = cstrHeterogeneousPreset();
const silent = (c: CstrPlantConfig): CstrPlantConfig => {
  const quiet = { noiseStd: 0, bias: 0, driftPerH: 0 };
  return { ...c, sensors: { D: quiet, Qk: quiet, cA0: quiet, T0: quiet, T: quiet, Tk: quiet }, analyser: { ...c.analyser, ...quiet } };
};

test('the same seed gives the same log bit for bit, another seed a different one', () => {
  const a = generateCstrLog(plantA, { seed: 11, samples: 300 });
  const b = generateCstrLog(plantA, { seed: 11, samples: 300 });
  const c = generateCstrLog(plantA, { seed: 12, samples: 300 });
  for (const col of a.columns) assert.deepEqual(a.values[col], b.values[col], col);
  assert.notDeepEqual(a.values.T_degC, c.values.T_degC);
});

test('with silent sensors the temperatures equal the true states and the analyser lags cB by its dead time, held between results', () => {
  const cfg = silent(plantA); // 60 s sampling, analyser every 300 s with 120 s dead time
  const log = generateCstrLog(cfg, { seed: 3, samples: 200 });
  assert.deepEqual(log.values.T_degC, log.truth.T);
  const every = 5, delay = 2;
  for (let k = delay; k < 200; k++) {
    const lastResult = Math.floor((k - delay) / every) * every + delay; // index where the shown result appeared
    const sampledAt = lastResult - delay;
    assert.equal(log.values.cB_analyser_mol_per_L[k], log.truth.cB[sampledAt], `k=${k}`);
  }
});

test('setpoints stay inside the plant operating window and move in held steps', () => {
  const log = generateCstrLog(silent(plantB), { seed: 5, samples: 1000 });
  const D = log.values.D_per_h;
  let moves = 0;
  for (let k = 0; k < D.length; k++) {
    assert.ok(D[k] >= plantB.window.dilutionPerH[0] && D[k] <= plantB.window.dilutionPerH[1]);
    if (k > 0 && D[k] !== D[k - 1]) moves++;
  }
  // holds of 15–45 min at 1-min sampling: roughly 1000/30 moves
  assert.ok(moves > 15 && moves < 80, `${moves} moves`);
});

test('the jacket fouls: the heat-transfer factor falls monotonically over the log', () => {
  const log = generateCstrLog(plantB, { seed: 1, samples: 2000 });
  const f = log.truth.heatTransferFactor;
  for (let k = 1; k < f.length; k++) assert.ok(f[k] < f[k - 1]);
  const hours = ((f.length - 1) * 60) / 3600;
  const expected = plantB.fouling.floor + (1 - plantB.fouling.floor) * Math.exp(-hours / plantB.fouling.timeConstantH);
  assert.ok(Math.abs(f[f.length - 1] - expected) < 1e-12 && expected < 0.95, `factor after ${hours} h: ${f[f.length - 1]}`);
});

test('sensor bias and drift show up as a growing offset between measured and true temperature', () => {
  const log = generateCstrLog(plantB, { seed: 2, samples: 2500 }); // T bias 0.8 °C, drift 0.01 °C/h
  const offset = (from: number, to: number): number => {
    let s = 0;
    for (let k = from; k < to; k++) s += log.values.T_degC[k] - log.truth.T[k];
    return s / (to - from);
  };
  const early = offset(0, 500), late = offset(2000, 2500);
  assert.ok(Math.abs(early - 0.8 - 0.01 * 4) < 0.05, `early offset ${early}`);
  assert.ok(late > early + 0.2, `late ${late} vs early ${early}`);
});
