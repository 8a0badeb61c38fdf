import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mlp } from '../nn/mlp.js';
import { fit } from '../nn/fit.js';
import { Adam } from '../nn/adam.js';
import { ProcessModel } from '../nn/process-model.js';
import { saveProcessModel } from '../nn/save.js';
import { Tensor } from '../tensor/tensor.js';
import { Rng } from '../tensor/rng.js';
import { isCrucibleError } from '../errors.js';
import { nominalWilliamsOtto, williamsOttoSteadyState } from '../process/williamsOtto.js';
import { williamsOttoOptimum } from '../process/williamsOttoOptimum.js';
import { optimizeCommand } from './optimize.js';

/** A model of the nominal Williams–Otto reactor fitted on 600 noise-free points over the whole box. */
async function trainedModel(dir: string): Promise<string> {
  const rng = new Rng(5);
  const n = 600;
  const x = new Tensor(n, 2);
  const y = new Tensor(n, 2);
  for (let i = 0; i < n; i++) {
    const fb = rng.uniform(3, 6);
    const t = rng.uniform(70, 100);
    const s = williamsOttoSteadyState(nominalWilliamsOtto, fb, t);
    x.data.set([fb, t], 2 * i);
    y.data.set([s.profit, s.xG], 2 * i);
  }
  const scaling = { featureMean: Float64Array.of(4.5, 85), featureStd: Float64Array.of(0.87, 8.7), targetMean: Float64Array.of(100, 0.08), targetStd: Float64Array.of(80, 0.05) };
  const net = new Mlp({ widths: [2, 32, 32, 2], activation: 'tanh', seed: 2 });
  const pm = new ProcessModel(net, { inputNames: ['FB', 'TR'], outputNames: ['profit', 'xG'], scaling });
  const ys = new Tensor(n, 2);
  for (let i = 0; i < 2 * n; i++) ys.data[i] = (y.data[i] - scaling.targetMean[i % 2]) / scaling.targetStd[i % 2];
  fit(net, pm.scaleInputs(x).detach(), ys, { epochs: 400, batchSize: 64, seed: 1, optimizer: new Adam(net.parameters, { lr: 0.005 }) });
  const path = join(dir, 'model.json');
  await saveProcessModel(pm, path);
  return path;
}

test('crucible optimize recommends setpoints near the true constrained optimum and writes them as JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-optimize-'));
  const model = await trainedModel(dir);
  const problem = join(dir, 'problem.yaml');
  writeFileSync(problem, 'variables:\n  FB: { min: 3, max: 6 }\n  TR: { min: 70, max: 100 }\nobjective: { maximize: profit }\nconstraints: ["xG <= 0.08"]\n');
  const out = join(dir, 'best.json');
  await optimizeCommand().parseAsync(['--model', model, '--problem', problem, '--out', out, '--quiet'], { from: 'user' });
  const best = JSON.parse(readFileSync(out, 'utf8'));
  const truth = williamsOttoOptimum(nominalWilliamsOtto, { constrained: true, limits: { xA: 1, xG: 0.08 } });
  const atBest = williamsOttoSteadyState(nominalWilliamsOtto, best.variables.FB, best.variables.TR);
  const regret = (truth.profit - atBest.profit) / truth.profit;
  assert.ok(regret < 0.03, `regret ${(100 * regret).toFixed(2)} % at ${JSON.stringify(best.variables)} (true optimum ${truth.profit.toFixed(2)})`);
  assert.ok(best.activeConstraints.includes('xG <= 0.08'));
});

test('an infeasible problem exits as INFEASIBLE and an unknown name is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-optimize-'));
  const model = await trainedModel(dir);
  const infeasible = join(dir, 'infeasible.yaml');
  writeFileSync(infeasible, 'variables:\n  FB: { min: 3, max: 6 }\n  TR: { min: 70, max: 100 }\nobjective: { maximize: profit }\nconstraints: ["xG <= -0.5"]\n');
  await assert.rejects(
    optimizeCommand().parseAsync(['--model', model, '--problem', infeasible, '--quiet'], { from: 'user' }),
    (e: unknown) => isCrucibleError(e, 'INFEASIBLE') && /xG <= -0\.5/.test((e as Error).message),
  );
  const unknown = join(dir, 'unknown.yaml');
  writeFileSync(unknown, 'variables:\n  FB: { min: 3, max: 6 }\n  TR: { min: 70, max: 100 }\nobjective: { maximize: "profit - steam" }\n');
  await assert.rejects(optimizeCommand().parseAsync(['--model', model, '--problem', unknown, '--quiet'], { from: 'user' }), /unknown variable 'steam'/);
});
