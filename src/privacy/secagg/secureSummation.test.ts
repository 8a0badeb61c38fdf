import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { InMemoryGrid } from '../../federation/in-memory-grid.js';
import { createPlant, type PlantMiddleware } from '../../federation/plant.js';
import { plainSummation } from '../../federation/summation.js';
import type { FitTask, StatisticsTask } from '../../federation/messages.js';
import { Mlp } from '../../nn/mlp.js';
import { Rng } from '../../tensor/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { seededEntropy } from './entropy.js';
import { secureAggregationPlant } from './plantMiddleware.js';
import { secureSummation } from './secureSummation.js';
import { secAggTaskKinds, stageBytes } from './tasks.js';
import { FixedPoint } from './fixedPoint.js';

function plantData(seed: number, rows: number) {
  const rng = new Rng(seed);
  const x = new Tensor(rows, 3, rng.fillUniform(new Float64Array(rows * 3), -1, 1));
  const y = new Tensor(rows, 1);
  for (let i = 0; i < rows; i++) y.data[i] = 0.5 * x.data[i * 3] - x.data[i * 3 + 1] + 0.1 * rng.normal();
  return { x, y };
}

const model = () => new Mlp({ widths: [3, 8, 1], seed: 5 });

/** n plants; `dropAt` disconnects a plant when the task of that kind reaches it. */
function federation(n: number, secure: boolean, dropAt: Record<string, string> = {}) {
  const grid: InMemoryGrid = new InMemoryGrid();
  const dropper: PlantMiddleware = (next, plant) => async (task) => {
    if (dropAt[plant.plantId] === task.kind) grid.disconnect(plant.plantId);
    return next(task);
  };
  for (let p = 0; p < n; p++) {
    const plantId = `plant-${p}`;
    grid.connect(
      createPlant({
        plantId, data: plantData(p, 20 + 5 * p), validationFraction: 0, model,
        middleware: secure ? [dropper, secureAggregationPlant({ entropy: seededEntropy(`int/${plantId}`) })] : [dropper],
      }),
    );
  }
  return grid;
}

const statisticsTask: StatisticsTask = { kind: 'statistics', runId: 'run-s', round: 0, config: {}, arrays: {} };
const statsClip = { featureSum: 1000, featureSumSq: 1000, targetSum: 1000, targetSumSq: 1000 };

test('secure summation of feature statistics over the grid equals the plain sum within quantization error', async () => {
  const plain = await plainSummation.sum(federation(5, false), ['plant-0', 'plant-1', 'plant-2', 'plant-3', 'plant-4'], statisticsTask, { timeoutMs: 5000 });
  const grid = federation(5, true);
  const secure = await secureSummation({ clipRange: statsClip, variant: 'secagg', entropy: seededEntropy('c') }).sum(grid, grid.plants(), statisticsTask, { timeoutMs: 5000 });
  assert.equal(secure.count, plain.count);
  assert.deepEqual([...secure.contributors], [...plain.contributors]);
  for (const name of Object.keys(statsClip)) {
    const bound = new FixedPoint({ clipRange: 1000, plants: 5 }).sumErrorBound;
    plain.sums[name].forEach((v, i) => assert.ok(Math.abs(secure.sums[name][i] - v) <= bound, `${name}[${i}]: ${secure.sums[name][i]} vs ${v}`));
  }
});

test('a plant behind the middleware refuses to answer a bare statistics task', async () => {
  const out = await plainSummation.sum(federation(3, true), ['plant-0', 'plant-1', 'plant-2'], statisticsTask, { timeoutMs: 5000 });
  assert.equal(out.contributors.length, 0);
  assert.ok(out.failures.every((f) => f.failure.code === 'SECAGG_REQUIRED'));
});

test('plants dropping at every stage over the grid: the round completes with the survivors, and their weighted mean update', async () => {
  const parameters = model().parameters.get();
  const fitTask: FitTask = {
    kind: 'fit', runId: 'run-f', round: 1,
    config: { epochs: 1, batchSize: 8, learningRate: 0.05, optimizer: 'sgd', seed: 3 },
    arrays: { parameters },
  };
  const ids = Array.from({ length: 8 }, (_, p) => `plant-${p}`);
  // Reference: what each plant would send in the clear.
  const plain = new Map<string, { update: Float64Array; n: number }>();
  for await (const r of federation(8, false).send(ids, fitTask, { timeoutMs: 5000 })) if (r.ok) plain.set(r.plantId, { update: r.arrays.update!, n: r.numExamples });

  const dropAt = { 'plant-1': secAggTaskKinds.share, 'plant-4': secAggTaskKinds.mask, 'plant-6': secAggTaskKinds.unmask };
  const grid = federation(8, true, dropAt);
  const exampleCap = 40;
  const out = await secureSummation({ clipRange: 1, exampleCap, variant: 'secagg', entropy: seededEntropy('f') }).sum(grid, ids, fitTask, { timeoutMs: 2000 });
  const contributors = ids.filter((p) => p !== 'plant-1' && p !== 'plant-4');
  assert.deepEqual([...out.contributors], contributors);
  assert.deepEqual(out.failures.map((f) => f.plantId).sort(), ['plant-1', 'plant-4', 'plant-6']);
  let weight = 0;
  const expected = new Float64Array(parameters.length);
  for (const p of contributors) {
    const { update, n } = plain.get(p)!;
    const w = Math.min(1, n / exampleCap);
    weight += w;
    update.forEach((v, i) => (expected[i] += w * v));
  }
  assert.ok(Math.abs(out.sums.__weight[0] - weight) < 1e-6);
  assert.equal(out.count, contributors.reduce((s, p) => s + plain.get(p)!.n, 0));
  const tolerance = (contributors.length * 0.5) / new FixedPoint({ clipRange: 1, plants: 8 }).scale;
  expected.forEach((v, i) => assert.ok(Math.abs(out.sums.update[i] - v) <= tolerance, `update[${i}]`));
});

test('too many dropouts abort the round with SECAGG_BELOW_THRESHOLD', async () => {
  const grid = federation(5, true, { 'plant-0': secAggTaskKinds.mask, 'plant-1': secAggTaskKinds.mask, 'plant-2': secAggTaskKinds.mask });
  await assert.rejects(
    secureSummation({ clipRange: statsClip, variant: 'secagg' }).sum(grid, grid.plants(), statisticsTask, { timeoutMs: 1000 }),
    (e) => isCrucibleError(e, 'SECAGG_BELOW_THRESHOLD'),
  );
});

/** Counts the tasks the grid sends, by kind. */
function countingKinds(grid: InMemoryGrid): { grid: InMemoryGrid; kinds: Map<string, number> } {
  const kinds = new Map<string, number>();
  const send = grid.send.bind(grid);
  grid.send = (ids, task, options) => {
    const make = typeof task === 'function' ? task : () => task;
    return send(ids, (id) => {
      const t = make(id);
      kinds.set(t.kind, (kinds.get(t.kind) ?? 0) + 1);
      return t;
    }, options);
  };
  return { grid, kinds };
}

test('a session set up during the previous one starts at the masked input: two exchanges, the same sums', async () => {
  const ids = ['plant-0', 'plant-1', 'plant-2', 'plant-3', 'plant-4'];
  const plain = await plainSummation.sum(federation(5, false), ids, statisticsTask, { timeoutMs: 5000 });
  const { grid, kinds } = countingKinds(federation(5, true));
  const summation = secureSummation({ clipRange: statsClip, variant: 'secagg', entropy: seededEntropy('early') });
  const bound = new FixedPoint({ clipRange: 1000, plants: 5 }).sumErrorBound;
  for (let session = 1; session <= 3; session++) {
    const out = await summation.sum(grid, ids, { ...statisticsTask, round: session }, { timeoutMs: 5000 });
    assert.deepEqual([...out.contributors], ids);
    plain.sums.featureSumSq.forEach((v, i) => assert.ok(Math.abs(out.sums.featureSumSq[i] - v) <= bound, `session ${session}: featureSumSq[${i}]`));
  }
  // Only the first session advertised and shared keys in stages of their own.
  assert.equal(kinds.get(secAggTaskKinds.advertise), 5);
  assert.equal(kinds.get(secAggTaskKinds.share), 5);
  assert.equal(kinds.get(secAggTaskKinds.mask), 15);
  assert.equal(kinds.get(secAggTaskKinds.unmask), 15);
  // A summation that does not set up its next session opens every session at key advertising.
  const once = secureSummation({ clipRange: statsClip, variant: 'secagg', entropy: seededEntropy('once'), advertiseNext: false });
  for (let session = 4; session <= 5; session++) await once.sum(grid, ids, { ...statisticsTask, round: session }, { timeoutMs: 5000 });
  assert.equal(kinds.get(secAggTaskKinds.advertise), 15);
  assert.equal(kinds.get(secAggTaskKinds.share), 15);
});

test('prepared sessions and dropouts: a plant lost at unmasking or masking makes the next session start over; one lost in a prepared session is a dropout', async () => {
  const ids = Array.from({ length: 6 }, (_, p) => `plant-${p}`);
  // plant-5 answers nothing from its second unmasking task on: it never shares keys for session 3.
  let unmasks = 0;
  const grid: InMemoryGrid = new InMemoryGrid();
  const dropper: PlantMiddleware = (next, plant) => async (task) => {
    if (plant.plantId === 'plant-5' && task.kind === secAggTaskKinds.unmask && ++unmasks === 2) grid.disconnect(plant.plantId);
    if (plant.plantId === 'plant-4' && task.kind === secAggTaskKinds.mask && task.round === 2) grid.disconnect(plant.plantId);
    return next(task);
  };
  const plants = ids.map((plantId, p) => createPlant({ plantId, data: plantData(p, 20 + 5 * p), validationFraction: 0, model, middleware: [dropper, secureAggregationPlant({ entropy: seededEntropy(`dd/${plantId}`) })] }));
  for (const p of plants) grid.connect(p);
  const { kinds } = countingKinds(grid);
  const summation = secureSummation({ clipRange: statsClip, variant: 'secagg', threshold: 4, minimumPlants: 4, entropy: seededEntropy('dd') });
  const first = await summation.sum(grid, ids, { ...statisticsTask, round: 1 }, { timeoutMs: 2000 });
  assert.equal(first.contributors.length, 6);
  // Session 2 was set up during session 1; plant-4 drops when its masked-input task (carrying the
  // inner task) arrives, plant-5 at unmasking.
  const second = await summation.sum(grid, ids, { ...statisticsTask, round: 2 }, { timeoutMs: 1000 });
  assert.deepEqual([...second.contributors], ['plant-0', 'plant-1', 'plant-2', 'plant-3', 'plant-5']);
  assert.deepEqual(second.failures.map((f) => f.plantId).sort(), ['plant-4', 'plant-5']);
  const plain = await plainSummation.sum(federation(6, false), ['plant-0', 'plant-1', 'plant-2', 'plant-3', 'plant-5'], statisticsTask, { timeoutMs: 5000 });
  const bound = new FixedPoint({ clipRange: 1000, plants: 6 }).sumErrorBound;
  plain.sums.targetSum.forEach((v, i) => assert.ok(Math.abs(second.sums.targetSum[i] - v) <= bound));
  // Session 2 took no setup stage of its own.
  assert.equal(kinds.get(secAggTaskKinds.advertise), 6);
  assert.equal(kinds.get(secAggTaskKinds.share), 6);
  // Session 3: plant-4 and plant-5 are back, but plant-4 sent no keys for it and plant-5 no shares,
  // so it starts over at key advertising.
  grid.connect(plants[4]);
  grid.connect(plants[5]);
  const third = await summation.sum(grid, ids, { ...statisticsTask, round: 3 }, { timeoutMs: 2000 });
  assert.deepEqual([...third.contributors], ids);
  assert.equal(kinds.get(secAggTaskKinds.advertise), 12);
  assert.equal(kinds.get(secAggTaskKinds.share), 12);
});

test('a next-session roster a plant refuses costs only that session: this unmasking completes, the next starts over', async () => {
  const ids = ['plant-0', 'plant-1', 'plant-2', 'plant-3', 'plant-4'];
  const grid: InMemoryGrid = new InMemoryGrid();
  // plant-2 gets an unreadable roster for session 2 with its unmasking task of session 1.
  const tamper: PlantMiddleware = (next, plant) => async (task) =>
    next(plant.plantId === 'plant-2' && task.kind === secAggTaskKinds.unmask && task.round === 1 ? { ...task, bytes: { ...task.bytes, [stageBytes.roster]: new Uint8Array([1, 2, 3]) } } : task);
  ids.forEach((plantId, p) => grid.connect(createPlant({ plantId, data: plantData(p, 20 + 5 * p), validationFraction: 0, model, middleware: [tamper, secureAggregationPlant({ entropy: seededEntropy(`t/${plantId}`) })] })));
  const { kinds } = countingKinds(grid);
  const summation = secureSummation({ clipRange: statsClip, variant: 'secagg', entropy: seededEntropy('t') });
  const plain = await plainSummation.sum(federation(5, false), ids, statisticsTask, { timeoutMs: 5000 });
  const bound = new FixedPoint({ clipRange: 1000, plants: 5 }).sumErrorBound;
  for (let round = 1; round <= 2; round++) {
    const out = await summation.sum(grid, ids, { ...statisticsTask, round }, { timeoutMs: 2000 });
    assert.deepEqual([...out.contributors], ids, `session ${round}`);
    assert.equal(out.failures.length, 0, `session ${round}`);
    plain.sums.targetSum.forEach((v, i) => assert.ok(Math.abs(out.sums.targetSum[i] - v) <= bound, `session ${round}: targetSum[${i}]`));
  }
  // Session 2 lacked plant-2's shares, so it advertised and shared keys in stages of its own.
  assert.equal(kinds.get(secAggTaskKinds.advertise), 10);
  assert.equal(kinds.get(secAggTaskKinds.share), 10);
});
