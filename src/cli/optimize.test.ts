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
import { writeSimulatedPlants } from '../data/simulate.js';
import { nominalWilliamsOtto, williamsOttoSteadyState, type WilliamsOttoParameters } from '../process/williamsOtto.js';
import { williamsOttoOptimum } from '../process/williamsOttoOptimum.js';
import { optimizeCommand } from './optimize.js';

/** A model of the nominal Williams–Otto reactor (profit and x_G from F_B, T_R) fitted on 600 noise-free points over the box. */
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
  const pm = new ProcessModel(net, { inputNames: ['FB_kg_per_s', 'TR_degC'], outputNames: ['profit_usd_per_s', 'xG'], scaling });
  const ys = new Tensor(n, 2);
  for (let i = 0; i < 2 * n; i++) ys.data[i] = (y.data[i] - scaling.targetMean[i % 2]) / scaling.targetStd[i % 2];
  fit(net, pm.scaleInputs(x).detach(), ys, { epochs: 400, batchSize: 64, seed: 1, optimizer: new Adam(net.parameters, { lr: 0.005 }) });
  const path = join(dir, 'model.json');
  await saveProcessModel(pm, path);
  return path;
}

const box = 'variables:\n  FB_kg_per_s: { min: 3, max: 6 }\n  TR_degC: { min: 70, max: 100 }\n';

test('crucible optimize recommends setpoints near the true constrained optimum and writes them as JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-optimize-'));
  const model = await trainedModel(dir);
  const problem = join(dir, 'problem.yaml');
  writeFileSync(problem, `${box}objective: { maximize: profit_usd_per_s }\nconstraints: ["xG <= 0.08"]\n`);
  const out = join(dir, 'best.json');
  await optimizeCommand().parseAsync(['--model', model, '--problem', problem, '--out', out, '--quiet'], { from: 'user' });
  const best = JSON.parse(readFileSync(out, 'utf8'));
  const truth = williamsOttoOptimum(nominalWilliamsOtto, { constrained: true, limits: { xA: 1, xG: 0.08 } });
  const atBest = williamsOttoSteadyState(nominalWilliamsOtto, best.variables.FB_kg_per_s, best.variables.TR_degC);
  const regret = (truth.profit - atBest.profit) / truth.profit;
  assert.ok(regret < 0.03, `regret ${(100 * regret).toFixed(2)} % at ${JSON.stringify(best.variables)} (true optimum ${truth.profit.toFixed(2)})`);
  assert.ok(best.activeConstraints.includes('xG <= 0.08'));
});

test('with --truth, crucible optimize prints and writes the simulated plant’s true outcome next to the predicted one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-optimize-'));
  const model = await trainedModel(dir);
  const manifest = await writeSimulatedPlants({ process: 'williams-otto', plants: 1, seed: 3, out: join(dir, 'plants'), samples: 5 });
  const plantId = manifest.plants[0].id;
  const problem = join(dir, 'problem.yaml');
  writeFileSync(problem, `${box}objective: { maximize: profit_usd_per_s }\nconstraints: ["xG <= 0.08"]\n`);
  const out = join(dir, 'best.json');
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (lines.push(String(s)), true)) as typeof process.stdout.write;
  try {
    await optimizeCommand().parseAsync(['--model', model, '--problem', problem, '--truth', join(dir, 'plants', 'manifest.json'), '--plant', plantId, '--out', out], { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  const best = JSON.parse(readFileSync(out, 'utf8'));
  const params = manifest.plants[0].parameters as { parameters: WilliamsOttoParameters };
  const s = williamsOttoSteadyState(params.parameters, best.variables.FB_kg_per_s, best.variables.TR_degC);
  assert.equal(best.truth.plant, plantId);
  assert.ok(Math.abs(best.truth.outputs.xG - s.xG) < 1e-12 && Math.abs(best.truth.evaluation.objective - s.profit) < 1e-9);
  assert.equal(best.truth.evaluation.constraints[0].met, s.xG <= 0.08 + 1e-9);
  assert.match(lines.join(''), /Objective: predicted [-\d.]+, true [-\d.]+/);
  await assert.rejects(optimizeCommand().parseAsync(['--model', model, '--problem', problem, '--truth', join(dir, 'plants', 'manifest.json'), '--quiet'], { from: 'user' }), /needs --plant <id>/);
});

test('an infeasible problem exits as INFEASIBLE and an unknown name is named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-optimize-'));
  const model = await trainedModel(dir);
  const infeasible = join(dir, 'infeasible.yaml');
  writeFileSync(infeasible, `${box}objective: { maximize: profit_usd_per_s }\nconstraints: ["xG <= -0.5"]\n`);
  for (const method of ['gradient', 'sequential-lp']) {
    await assert.rejects(
      optimizeCommand().parseAsync(['--model', model, '--problem', infeasible, '--method', method, '--quiet'], { from: 'user' }),
      (e: unknown) => isCrucibleError(e, 'INFEASIBLE') && /xG <= -0\.5/.test((e as Error).message),
    );
  }
  const unknown = join(dir, 'unknown.yaml');
  writeFileSync(unknown, `${box}objective: { maximize: "profit_usd_per_s - steam" }\n`);
  await assert.rejects(optimizeCommand().parseAsync(['--model', model, '--problem', unknown, '--quiet'], { from: 'user' }), /unknown variable 'steam'/);
});
