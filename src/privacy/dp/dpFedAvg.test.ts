import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { fedAvg } from '../../federation/strategies/fed-avg.js';
import type { FitReply } from '../../federation/messages.js';
import { Rng } from '../../tensor/rng.js';
import { RdpAccountant } from './accountant.js';
import { BudgetGuard } from './budget.js';
import { dpFedAvg } from './dpFedAvg.js';
import { MemoryPrivacyLedger } from './ledger.js';

function reply(plantId: string, update: Float64Array): FitReply {
  return { ok: true, kind: 'fit', runId: 'r', round: 1, plantId, numExamples: 10, metrics: {}, arrays: { update } };
}

test('the noise on the aggregate has standard deviation z·C / plants', () => {
  const d = 20000;
  const strategy = dpFedAvg(fedAvg(), { noiseMultiplier: 2, clipping: { kind: 'fixed', clipNorm: 1 }, noise: () => new Rng(5) });
  const parameters = new Float64Array(d);
  const results = ['a', 'b', 'c', 'd'].map((p) => reply(p, new Float64Array(d)));
  const out = strategy.aggregateFit({ round: 1, parameters, state: strategy.initialState(parameters), results });
  const std = Math.sqrt(out.parameters.reduce((s, v) => s + v * v, 0) / d);
  assert.ok(Math.abs(std / (2 / 4) - 1) < 0.03, `noise std ${std}, expected 0.5`);
});

test('one plant changes the released model by at most C / plants, however large its update', () => {
  const d = 50;
  const rng = new Rng(2);
  const honest = ['a', 'b', 'c'].map((p) => reply(p, rng.fillNormal(new Float64Array(d), 0, 0.01)));
  const strategy = dpFedAvg(fedAvg(), { noiseMultiplier: 1, clipping: { kind: 'fixed', clipNorm: 0.5 }, noise: () => new Rng(9) });
  const parameters = new Float64Array(d);
  const state = strategy.initialState(parameters);
  const run = (last: Float64Array) => strategy.aggregateFit({ round: 1, parameters, state, results: [...honest, reply('d', last)] }).parameters;
  const small = run(new Float64Array(d).fill(0.001));
  const huge = run(new Float64Array(d).fill(1000));
  const gap = Math.sqrt(small.reduce((s, v, i) => s + (v - huge[i]) ** 2, 0));
  assert.ok(gap <= (2 * 0.5) / 4 + 1e-12, `gap ${gap}`);
  assert.ok(gap > 0.05, 'the outlier should still move the model (within its clip)');
});

test('adaptive clipping tracks the median update norm', () => {
  const d = 10;
  const strategy = dpFedAvg(fedAvg(), {
    noiseMultiplier: 0.5,
    clipping: { kind: 'adaptive', initialClipNorm: 0.1, targetQuantile: 0.5, learningRate: 0.2 },
    noise: (round) => new Rng(round),
  });
  const parameters = new Float64Array(d);
  let state = strategy.initialState(parameters);
  const results = Array.from({ length: 9 }, (_, p) => reply(`p${p}`, new Float64Array(d).fill((p + 1) / Math.sqrt(d))));
  for (let round = 1; round <= 80; round++) state = strategy.aggregateFit({ round, parameters, state, results }).state;
  const clip = state.json.dpClipNorm as number;
  assert.ok(clip > 3.5 && clip < 7, `clip norm ${clip}, median norm 5`);
});

test('the budget guard stops before the first round that would exceed ε and records every round run', () => {
  const ledger = new MemoryPrivacyLedger();
  const guard = new BudgetGuard({ epsilon: 2, delta: 1e-5 }, ledger);
  const strategy = dpFedAvg(fedAvg(), { noiseMultiplier: 10, clipping: { kind: 'fixed', clipNorm: 1 }, guard, noise: () => new Rng(1) });
  // Independent count of the rounds that fit: ε after k rounds of the Gaussian mechanism with z = 10.
  const accountant = new RdpAccountant();
  let allowed = 0;
  while (accountant.epsilonAfter({ noiseMultiplier: 10, samplingRate: 1, steps: 1 }, 1e-5) <= 2) {
    accountant.compose({ noiseMultiplier: 10, samplingRate: 1, steps: 1 });
    allowed++;
  }
  assert.ok(allowed > 1 && allowed < 100, `allowed ${allowed}`);
  let parameters: Float64Array = new Float64Array(3);
  let state = strategy.initialState(parameters);
  let ran = 0;
  let stopped: unknown;
  for (let round = 1; round <= 200; round++) {
    try {
      strategy.configureFit({ round, plantIds: ['a', 'b'], parameters, state });
    } catch (e) {
      stopped = e;
      break;
    }
    ({ parameters, state } = strategy.aggregateFit({ round, parameters, state, results: [reply('a', new Float64Array(3)), reply('b', new Float64Array(3))] }));
    ran++;
  }
  assert.equal(ran, allowed);
  assert.ok(isCrucibleError(stopped, 'BUDGET_EXHAUSTED'), String(stopped));
  assert.equal(stopped.details.round, allowed + 1);
  assert.equal(ledger.entries().length, allowed);
  assert.ok(guard.spent() <= 2);
});
