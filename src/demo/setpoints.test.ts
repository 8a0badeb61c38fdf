import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mlp } from '../nn/mlp.js';
import { ProcessModel } from '../nn/process-model.js';
import type { SetpointResult } from '../optimize/setpoint.js';
import { Tensor } from '../tensor/tensor.js';
import { cstrCases, cstrLimits, steadyRows } from './cstr-setpoints.js';
import { preparePlants } from './plants.js';
import { trustRegionOf } from './setpoint-case.js';

test('the trust region of a model is the mean and variance of its lag-0 training features', () => {
  const net = new Mlp({ widths: [4, 2], activation: 'tanh', seed: 1 });
  const scaling = { featureMean: Float64Array.of(1, 1.1, 5, 5.5), featureStd: Float64Array.of(2, 2.2, 3, 3.3), targetMean: Float64Array.of(0, 0), targetStd: Float64Array.of(1, 1) };
  const model = new ProcessModel(net, { inputNames: ['u(t)', 'u(t-1)', 'v(t)', 'v(t-1)'], outputNames: ['y', 'z'], scaling });
  const region = trustRegionOf(model, ['u', 'v'], 2);
  assert.deepEqual([...region.mean], [1, 5]);
  assert.deepEqual([...region.covariance], [4, 0, 0, 9]);
});

test('steady rows are those whose decision inputs held over the whole lag window', () => {
  // Two inputs with three lags each; rows 0 and 2 held their setpoints, row 1 saw a step in input 0.
  const x = new Tensor(3, 6, Float64Array.of(5, 5, 5, 1, 1, 1, 5, 6, 7, 1, 1, 1, 7, 7, 7.01, 1, 1, 1));
  const y = new Tensor(3, 1, Float64Array.of(10, 11, 12));
  const steady = steadyRows({ x, y }, [0, 1], 3);
  assert.deepEqual([...steady.y.data], [10, 12]);
});

test('a CSTR recommendation runs under temperature control: at the true optimum D and the limit as setpoint it earns the true optimum and meets the limits', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-setpoints-'));
  try {
    const prepared = await preparePlants({ scenario: 'cstr', seed: 3, dir, samples: 200 });
    const plant = prepared.plants[1];
    const widths = [prepared.inputNames.length, 4, prepared.outputNames.length];
    const k = prepared.inputNames.length;
    const scaling = { featureMean: new Float64Array(k), featureStd: new Float64Array(k).fill(1), targetMean: new Float64Array(3), targetStd: new Float64Array(3).fill(1) };
    const model = new ProcessModel(new Mlp({ widths, activation: 'tanh', seed: 1 }), { inputNames: prepared.inputNames, outputNames: prepared.outputNames, scaling });
    const c = cstrCases(prepared).caseFor(plant, model);
    assert.ok(!('unreachable' in c));
    const [dName, qName] = plant.dataset.inputs;
    const at = c.optimum.setpoints;
    // A recommendation at the optimum's D that predicts the temperature limit there, with a wrong jacket duty.
    const result = { variables: { [dName]: at[dName], [qName]: at[qName] + 40 }, predicted: { T_degC: cstrLimits.maxTemperatureC } } as unknown as SetpointResult;
    const truth = c.score(result);
    assert.ok(Math.abs(truth.profit - c.optimum.profit) < 1e-6 * c.optimum.profit, `${truth.profit} vs ${c.optimum.profit}`);
    assert.ok(truth.limits.every((l) => l.violation === 0), JSON.stringify(truth.limits));
    // Applied open loop, the wrong duty (less cooling) overheats the reactor past the limit.
    assert.ok(truth.openLoop !== undefined && truth.openLoop.limits[0].violation > 0, JSON.stringify(truth.openLoop));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
