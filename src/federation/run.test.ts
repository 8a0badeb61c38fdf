import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCrucibleError } from '../errors.js';
import { failureReply } from './messages.js';
import type { GridEvent } from './grid.js';
import type { InMemoryGrid } from './in-memory-grid.js';
import type { PlantMiddleware } from './plant.js';
import { InMemoryRoundStore } from './round-store.js';
import type { FederationEvent, RoundResult } from './round-result.js';
import { runFederation, type FederationOptions } from './run.js';
import { fedAdam } from './strategies/fed-opt.js';
import { fedAvg } from './strategies/fed-avg.js';
import { scaffold } from './strategies/scaffold.js';
import { linearFederation } from './test-support.js';

const spec = { rows: 60, featureStd: [1, 2], weights: [1, -1], bias: 0.2, noiseStd: 0.1 };
const training = { epochs: 2, batchSize: 16, learningRate: 0.05, optimizer: 'sgd' } as const;

function options(initial: Float64Array, overrides: Partial<FederationOptions> = {}): FederationOptions {
  return {
    runId: 'run-test', rounds: 3, seed: 9, initialParameters: initial, training, minPlants: 2,
    timeouts: { waitForPlantsMs: 2000, fitMs: 2000, evaluateMs: 2000 }, ...overrides,
  };
}

async function all(rounds: AsyncIterable<RoundResult>): Promise<RoundResult[]> {
  const out: RoundResult[] = [];
  for await (const r of rounds) out.push(r);
  return out;
}

/** Middleware that misbehaves in `round` only. */
function inRound(round: number, act: (reply: Awaited<ReturnType<Parameters<PlantMiddleware>[0]>>) => typeof reply): PlantMiddleware {
  return (next) => async (task) => {
    const reply = await next(task);
    return task.kind === 'fit' && task.round === round ? act(reply) : reply;
  };
}

describe('runFederation', () => {
  it('completes a round without a plant that disconnects mid-round, and goes on', async () => {
    let grid!: InMemoryGrid;
    const fed = linearFederation([spec, spec, spec], {
      seed: 1,
      middleware: (id) => (id === 'plant-1' ? [(next) => async (task) => {
        if (task.kind === 'fit' && task.round === 2) grid.disconnect('plant-1');
        return next(task);
      }] : []),
    });
    grid = fed.grid;
    const started = Date.now();
    const rounds = await all(runFederation(grid, fedAvg(), options(fed.initial)));
    assert.equal(rounds.length, 3);
    assert.deepEqual(rounds[0].participants, ['plant-0', 'plant-1', 'plant-2']);
    assert.deepEqual(rounds[1].participants, ['plant-0', 'plant-2']);
    assert.deepEqual(rounds[1].dropped.map((d) => `${d.plantId}:${d.stage}:${d.code}`), ['plant-1:fit:PLANT_DISCONNECTED']);
    assert.deepEqual(rounds[2].selected, ['plant-0', 'plant-2']);
    assert.ok(Date.now() - started < 2000, 'a dropped plant must not make the round wait for the timeout');
    assert.deepEqual(Object.keys(rounds[2].evaluation!.perPlant), ['plant-0', 'plant-2']);
  });

  it('drops a plant that does not answer within the fit timeout (PLANT_TIMEOUT) and aggregates the rest', async () => {
    const fed = linearFederation([spec, spec, spec], { seed: 1, grid: { delayMs: (id, task) => (id === 'plant-2' && task.kind === 'fit' ? 10_000 : 0) } });
    const started = Date.now();
    const [r] = await all(runFederation(fed.grid, fedAvg(), options(fed.initial, { rounds: 1, timeouts: { waitForPlantsMs: 1000, fitMs: 300, evaluateMs: 2000 } })));
    assert.ok(Date.now() - started < 2500);
    assert.deepEqual(r.participants, ['plant-0', 'plant-1']);
    assert.deepEqual(r.dropped.map((d) => `${d.plantId}:${d.code}`), ['plant-2:PLANT_TIMEOUT']);
    await fed.grid.close();
  });

  it('with grace-after-quorum, abandons a straggler soon after the quorum is in', async () => {
    const fed = linearFederation([spec, spec, spec], { seed: 1, grid: { delayMs: (id, task) => (id === 'plant-2' && task.kind === 'fit' ? 5_000 : 0) } });
    const events: FederationEvent[] = [];
    const started = Date.now();
    const [r] = await all(runFederation(fed.grid, fedAvg(), options(fed.initial, {
      rounds: 1, straggler: { kind: 'grace-after-quorum', graceMs: 100 }, timeouts: { waitForPlantsMs: 1000, fitMs: 60_000, evaluateMs: 2000 }, onEvent: (e) => events.push(e),
    })));
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.deepEqual(r.participants, ['plant-0', 'plant-1']);
    assert.ok(events.some((e) => e.type === 'stragglers-abandoned' && e.plantIds.includes('plant-2')));
    await fed.grid.close();
  });

  it('throws QUORUM_NOT_REACHED after the wait timeout when too few plants connect, reporting "waiting for plants"', async () => {
    const fed = linearFederation([spec, spec], { seed: 1 });
    const events: FederationEvent[] = [];
    const started = Date.now();
    await assert.rejects(all(runFederation(fed.grid, fedAvg(), options(fed.initial, { minPlants: 3, timeouts: { waitForPlantsMs: 300, fitMs: 1000, evaluateMs: 1000 }, onEvent: (e) => events.push(e) }))), (e) => {
      assert.ok(isCrucibleError(e, 'QUORUM_NOT_REACHED'), String(e));
      assert.match(e.message, /2 of 3 required plants connected within 300 ms/);
      return true;
    });
    const waited = Date.now() - started;
    assert.ok(waited >= 290 && waited < 1500, `waited ${waited} ms`);
    assert.deepEqual(events[0], { type: 'waiting-for-plants', round: 1, connected: 2, required: 3 });
  });

  it('starts as soon as the quorum connects while waiting', async () => {
    const fed = linearFederation([spec, spec, spec], { seed: 1 });
    fed.grid.disconnect('plant-2');
    const events: FederationEvent[] = [];
    const run = all(runFederation(fed.grid, fedAvg(), options(fed.initial, { rounds: 1, minPlants: 3, timeouts: { waitForPlantsMs: 5000, fitMs: 2000, evaluateMs: 2000 }, onEvent: (e) => events.push(e) })));
    setTimeout(() => fed.grid.connect(fed.plants[2]), 100);
    const [r] = await run;
    assert.deepEqual(r.participants, ['plant-0', 'plant-1', 'plant-2']);
    assert.deepEqual(events.filter((e) => e.type === 'waiting-for-plants').map((e) => (e as { connected: number }).connected), [2, 3]);
  });

  it('rejects NaN/Inf and wrong-length updates with UPDATE_REJECTED and the round continues', async () => {
    const fed = linearFederation([spec, spec, spec, spec], {
      seed: 1,
      middleware: (id) =>
        id === 'plant-1' ? [inRound(1, (r) => (r.ok ? { ...r, arrays: { ...r.arrays, update: r.arrays.update!.map((v, i) => (i === 1 ? Number.NaN : v)) } } : r))]
        : id === 'plant-2' ? [inRound(1, (r) => (r.ok ? { ...r, arrays: { ...r.arrays, update: Float64Array.of(1, 2) } } : r))]
        : id === 'plant-3' ? [inRound(1, (r) => (r.ok ? { ...r, arrays: { ...r.arrays, update: r.arrays.update!.map(() => Number.POSITIVE_INFINITY) } } : r))]
        : [],
    });
    const [r1, r2] = await all(runFederation(fed.grid, fedAvg(), options(fed.initial, { rounds: 2, minPlants: 1 })));
    assert.deepEqual(r1.participants, ['plant-0']);
    const codes = Object.fromEntries(r1.dropped.map((d) => [d.plantId, d]));
    assert.equal(codes['plant-1'].code, 'UPDATE_REJECTED');
    assert.match(codes['plant-1'].message, /'update'\[1\] is NaN/);
    assert.equal(codes['plant-2'].code, 'UPDATE_REJECTED');
    assert.match(codes['plant-2'].message, /has 2 values, the global model has 3/);
    assert.match(codes['plant-3'].message, /Infinity/);
    assert.ok(r1.globalParameters.every(Number.isFinite));
    assert.deepEqual(r2.participants, ['plant-0', 'plant-1', 'plant-2', 'plant-3']);
  });

  it('rejects a stale-round reply (ROUND_STALE) and a duplicate submission (DUPLICATE_SUBMISSION) and the round continues', async () => {
    let grid!: InMemoryGrid;
    const fed = linearFederation([spec, spec, spec], {
      seed: 1,
      middleware: (id) =>
        id === 'plant-1' ? [inRound(2, (r) => ({ ...r, round: 1 }))]
        : id === 'plant-2' ? [inRound(2, (r) => {
            assert.equal(grid.submitAs('plant-2', r).accepted, true); // uploads once on its own…
            return r; // …and again through the normal path
          })]
        : [],
    });
    grid = fed.grid;
    const rejected: GridEvent[] = [];
    grid.onEvent((e) => e.type === 'reply-rejected' && rejected.push(e));
    const rounds = await all(runFederation(grid, fedAvg(), options(fed.initial, { timeouts: { waitForPlantsMs: 1000, fitMs: 400, evaluateMs: 1000 } })));
    assert.equal(rounds.length, 3);
    assert.deepEqual(rounds[1].participants, ['plant-0', 'plant-2']);
    assert.deepEqual(rounds[1].dropped.map((d) => `${d.plantId}:${d.code}`), ['plant-1:PLANT_TIMEOUT']);
    assert.deepEqual(rejected.map((e) => e.type === 'reply-rejected' && `${e.plantId}:${e.round}:${e.code}`), ['plant-1:1:ROUND_STALE', 'plant-2:2:DUPLICATE_SUBMISSION']);
    assert.deepEqual(rounds[2].participants, ['plant-0', 'plant-1', 'plant-2']);
  });

  it('throws QUORUM_NOT_REACHED when too few plants return usable updates', async () => {
    const fed = linearFederation([spec, spec], {
      seed: 1, middleware: (id) => (id === 'plant-1' ? [inRound(1, (r) => (r.ok ? { ...r, numExamples: -3 } : r))] : []),
    });
    await assert.rejects(all(runFederation(fed.grid, fedAvg(), options(fed.initial))), (e) => isCrucibleError(e, 'QUORUM_NOT_REACHED') && /1 of 2 required plants returned a usable fit result/.test(e.message));
  });

  it('reports per-plant and pooled evaluation metrics that improve over rounds', async () => {
    const fed = linearFederation([spec, { ...spec, weights: [1.2, -0.8] }], { seed: 2 });
    const rounds = await all(runFederation(fed.grid, fedAvg(), options(fed.initial, { rounds: 6 })));
    const first = rounds[0].evaluation!;
    const last = rounds[5].evaluation!;
    assert.ok(last.weighted.mse < first.weighted.mse);
    assert.ok(last.weighted.r2 > 0.9, `r2 ${last.weighted.r2}`);
    assert.ok(Math.abs(last.weighted.rmse - Math.sqrt(last.weighted.mse)) < 1e-12);
    for (const m of Object.values(last.perPlant)) assert.ok(m.numExamples === 15 && m.r2 > 0.8);
  });
});

describe('plant sampling', () => {
  it('draws plantsPerRound plants per round from (seed, round): the same in every run, varying over rounds', async () => {
    const pick = async (seed: number) => {
      const fed = linearFederation([spec, spec, spec, spec, spec, spec], { seed: 1 });
      return (await all(runFederation(fed.grid, fedAvg(), options(fed.initial, { seed, rounds: 6, plantsPerRound: 2, evaluateEvery: 0 })))).map((r) => r.participants.join(','));
    };
    const a = await pick(3);
    assert.deepEqual(await pick(3), a);
    assert.ok(a.every((p) => p.split(',').length === 2));
    assert.ok(new Set(a).size > 1, a.join(' | '));
    assert.notDeepEqual(await pick(4), a);
  });
});

describe('aggregation under any dropout set', () => {
  it('a round with some plants failing ends exactly as a round among the survivors alone, or without quorum', async () => {
    const specs = [spec, { ...spec, weights: [0, 1] }, { ...spec, featureStd: [3, 0.5] }, { ...spec, bias: -1 }, spec];
    const failWhen = (failing: Set<string>): ((id: string) => PlantMiddleware[]) => (id) =>
      failing.has(id) ? [(next) => async (task) => (task.kind === 'fit' ? failureReply(task, id, { code: 'PLANT_TASK_FAILED', message: 'down' }) : next(task))] : [];
    await fc.assert(
      fc.asyncProperty(fc.subarray([0, 1, 2, 3, 4]), async (down) => {
        const failing = new Set(down.map((i) => `plant-${i}`));
        const fed = linearFederation(specs, { seed: 6, middleware: failWhen(failing) });
        const run = all(runFederation(fed.grid, fedAvg(), options(fed.initial, { rounds: 1, minPlants: 2, evaluateEvery: 0 })));
        const survivors = fed.plantIds.filter((id) => !failing.has(id));
        if (survivors.length < 2) {
          await assert.rejects(run, (e) => isCrucibleError(e, 'QUORUM_NOT_REACHED'));
          return;
        }
        const [r] = await run;
        assert.deepEqual(r.participants, survivors);
        assert.deepEqual(r.dropped.map((d) => d.plantId), [...failing].sort());
        const alone = linearFederation(specs, { seed: 6 });
        for (const id of failing) alone.grid.disconnect(id);
        const [reference] = await all(runFederation(alone.grid, fedAvg(), options(alone.initial, { rounds: 1, minPlants: 2, evaluateEvery: 0 })));
        assert.deepEqual(r.globalParameters, reference.globalParameters);
      }),
      { numRuns: 20 },
    );
  });
});

describe('resuming from the round store', () => {
  for (const [name, make] of [['fedAdam', () => fedAdam({ serverLearningRate: 0.05 })], ['scaffold', () => scaffold()]] as const) {
    it(`${name}: a run interrupted mid-round and resumed ends with the same model as an uninterrupted one, bit for bit`, async () => {
      const specs = [spec, { ...spec, weights: [0, 1] }, { ...spec, featureStd: [3, 0.5] }];
      const whole = linearFederation(specs, { seed: 4 });
      const uninterrupted = await all(runFederation(whole.grid, make(), options(whole.initial, { rounds: 5 })));

      // Same plants throughout (as when only the coordinator crashes); the first attempt stops in round 3
      // after the plants have trained (their SCAFFOLD controls have moved on) but before it is saved.
      const fed = linearFederation(specs, { seed: 4 });
      const store = new InMemoryRoundStore();
      const stop = new AbortController();
      const first = await all(runFederation(fed.grid, make(), options(fed.initial, {
        rounds: 5, store, signal: stop.signal,
        onEvent: (e) => { if (e.type === 'round-started' && e.round === 3) stop.abort(); },
      })));
      assert.deepEqual(first.map((r) => r.round), [1, 2]);
      const events: FederationEvent[] = [];
      const resumed = await all(runFederation(fed.grid, make(), options(fed.initial, { rounds: 5, store, onEvent: (e) => events.push(e) })));
      assert.deepEqual(resumed.map((r) => r.round), [3, 4, 5]);
      assert.deepEqual(events[0], { type: 'resumed', runId: 'run-test', fromRound: 3 });
      assert.deepEqual(resumed[2].globalParameters, uninterrupted[4].globalParameters);
      assert.deepEqual(store.results('run-test').map((r) => r.round), [1, 2, 3, 4, 5]);
    });
  }

  it('refuses to resume a run with another strategy (CHECKPOINT_MISMATCH)', async () => {
    const fed = linearFederation([spec, spec], { seed: 1 });
    const store = new InMemoryRoundStore();
    await all(runFederation(fed.grid, fedAvg(), options(fed.initial, { rounds: 1, store })));
    await assert.rejects(all(runFederation(fed.grid, scaffold(), options(fed.initial, { rounds: 2, store }))), (e) => isCrucibleError(e, 'CHECKPOINT_MISMATCH'));
  });
});
