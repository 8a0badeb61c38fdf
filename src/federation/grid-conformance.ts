/**
 * The conformance suite every Grid implementation must pass: the in-memory grid (grid.test.ts) and
 * the gRPC grid (src/transport/) run this same function. It registers `node:test` cases, so import
 * it only from test files.
 *
 * The harness factory receives the plants of a case (id + handler) and must connect them to a fresh
 * grid — in-process, or as gRPC plant clients on 127.0.0.1.
 *
 * @example
 * // src/transport/grpc-grid.test.ts
 * gridConformance('GrpcGrid', async (plants) => {
 *   const server = await startCoordinator(…); const clients = plants.map((p) => connectPlant(p, …));
 *   return { grid: server.grid, disconnect: (id) => clients.find(…).stop(), close: async () => { … } };
 * });
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Grid, GridEvent } from './grid.js';
import type { Verdict } from './inbox.js';
import { failureReply, type PlantReply, type TaskMessage } from './messages.js';
import type { PlantHandler } from './plant.js';

/** A plant of a conformance case. */
export interface ConformancePlant {
  readonly plantId: string;
  readonly handle: PlantHandler;
}

/** A grid under test with its plants connected. */
export interface GridHarness {
  readonly grid: Grid;
  /** Cuts a plant off as abruptly as the implementation allows (kill, socket close). */
  disconnect(plantId: string): Promise<void> | void;
  /** Delivers a raw reply as if uploaded by `senderId` (omit if the implementation cannot). */
  submitAs?(senderId: string, reply: PlantReply): Promise<Verdict> | Verdict;
  close(): Promise<void>;
}

export type MakeGridHarness = (plants: readonly ConformancePlant[]) => Promise<GridHarness>;

/** Slack for timing assertions (process scheduling, loopback). */
const slackMs = 1500;

/** Answers with the task's `x` doubled, a length of 100 000 values to exercise size. */
function echo(plantId: string, options: { delayMs?: number; round?: (r: number) => number; claim?: string } = {}): ConformancePlant {
  return {
    plantId,
    handle: async (task) => {
      if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      const x = task.arrays.x ?? new Float64Array(0);
      const doubled = x.map((v) => 2 * v);
      return {
        ok: true, kind: task.kind, runId: task.runId, round: options.round?.(task.round) ?? task.round,
        plantId: options.claim ?? plantId, numExamples: 10 + x.length, metrics: { seen: x.length, tag: Number(task.config.tag ?? 0) },
        arrays: { doubled },
      };
    },
  };
}

function failing(plantId: string): ConformancePlant {
  return { plantId, handle: async (task) => failureReply(task, plantId, { code: 'PLANT_TASK_FAILED', message: 'sensor offline' }) };
}

function task(round: number, x: Float64Array, tag = 0): TaskMessage {
  return { kind: 'fit', runId: 'conformance', round, config: { tag }, arrays: { x } };
}

async function collect(replies: AsyncIterable<PlantReply>): Promise<PlantReply[]> {
  const out: PlantReply[] = [];
  for await (const r of replies) out.push(r);
  return out;
}

function byId(replies: readonly PlantReply[]): Map<string, PlantReply> {
  return new Map(replies.map((r) => [r.plantId, r]));
}

async function withHarness(make: MakeGridHarness, plants: ConformancePlant[], body: (h: GridHarness) => Promise<void>): Promise<void> {
  const h = await make(plants);
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

/** Registers the Grid conformance cases under `describe(name)`. */
export function gridConformance(name: string, make: MakeGridHarness): void {
  describe(`${name} conforms to the Grid contract`, () => {
    it('lists connected plants sorted and waitForPlants resolves once enough are connected', async () => {
      await withHarness(make, [echo('plant-b'), echo('plant-a')], async ({ grid }) => {
        const plants = await grid.waitForPlants(2, { timeoutMs: 10_000 });
        assert.deepEqual(plants, ['plant-a', 'plant-b']);
        assert.deepEqual(grid.plants(), ['plant-a', 'plant-b']);
      });
    });

    it('waitForPlants gives up after its timeout with the plants it has', async () => {
      await withHarness(make, [echo('plant-a')], async ({ grid }) => {
        await grid.waitForPlants(1, { timeoutMs: 10_000 });
        const started = Date.now();
        const plants = await grid.waitForPlants(3, { timeoutMs: 300 });
        const waited = Date.now() - started;
        assert.deepEqual(plants, ['plant-a']);
        assert.ok(waited >= 250 && waited < 300 + slackMs, `waited ${waited} ms`);
      });
    });

    it('yields exactly one reply per plant with float64 vectors bit-exact, per-plant tasks included', async () => {
      await withHarness(make, [echo('plant-a'), echo('plant-b'), echo('plant-c')], async ({ grid }) => {
        const plants = await grid.waitForPlants(3, { timeoutMs: 10_000 });
        const x = new Float64Array(100_000);
        for (let i = 0; i < x.length; i++) x[i] = Math.sin(i) * 1e-3 + (i % 7 === 0 ? 1e300 : 0) - (i % 11 === 0 ? 5e-324 : 0);
        const replies = await collect(grid.send(plants, (id) => task(1, x, id === 'plant-b' ? 2 : 1), { timeoutMs: 20_000 }));
        assert.equal(replies.length, 3);
        const got = byId(replies);
        assert.deepEqual([...got.keys()].sort(), ['plant-a', 'plant-b', 'plant-c']);
        for (const [id, r] of got) {
          assert.ok(r.ok, `${id} failed: ${!r.ok ? r.failure.message : ''}`);
          assert.equal(r.round, 1);
          assert.equal(r.numExamples, 10 + x.length);
          assert.equal(r.metrics.tag, id === 'plant-b' ? 2 : 1);
          const d = r.arrays.doubled!;
          assert.equal(d.length, x.length);
          for (let i = 0; i < x.length; i++) if (d[i] !== 2 * x[i]) assert.fail(`${id}: doubled[${i}] = ${d[i]}, expected ${2 * x[i]}`);
        }
      });
    });

    it("carries a plant's failure as data beside the others' results", async () => {
      await withHarness(make, [echo('plant-a'), failing('plant-f')], async ({ grid }) => {
        const plants = await grid.waitForPlants(2, { timeoutMs: 10_000 });
        const got = byId(await collect(grid.send(plants, task(1, Float64Array.of(1, 2)), { timeoutMs: 10_000 })));
        assert.equal(got.get('plant-a')?.ok, true);
        const f = got.get('plant-f');
        assert.ok(f !== undefined && !f.ok);
        assert.equal(f.failure.code, 'PLANT_TASK_FAILED');
        assert.match(f.failure.message, /sensor offline/);
      });
    });

    it('answers a plant slower than the timeout with PLANT_TIMEOUT and does not wait for it', async () => {
      await withHarness(make, [echo('plant-a'), echo('plant-slow', { delayMs: 2_000 })], async ({ grid }) => {
        const plants = await grid.waitForPlants(2, { timeoutMs: 10_000 });
        const started = Date.now();
        const got = byId(await collect(grid.send(plants, task(1, Float64Array.of(1)), { timeoutMs: 400 })));
        const took = Date.now() - started;
        assert.equal(got.get('plant-a')?.ok, true);
        const slow = got.get('plant-slow');
        assert.ok(slow !== undefined && !slow.ok && slow.failure.code === 'PLANT_TIMEOUT', JSON.stringify(slow));
        assert.ok(took < 400 + slackMs, `took ${took} ms`);
      });
    });

    it('ends the task of a plant that disconnects mid-task with a failure, and the others still arrive', async () => {
      await withHarness(make, [echo('plant-a'), echo('plant-gone', { delayMs: 1_000 })], async (h) => {
        const plants = await h.grid.waitForPlants(2, { timeoutMs: 10_000 });
        const replies = collect(h.grid.send(plants, task(1, Float64Array.of(1)), { timeoutMs: 4_000 }));
        await new Promise((r) => setTimeout(r, 200));
        await h.disconnect('plant-gone');
        const got = byId(await replies);
        assert.equal(got.get('plant-a')?.ok, true);
        const gone = got.get('plant-gone');
        assert.ok(gone !== undefined && !gone.ok);
        assert.ok(gone.failure.code === 'PLANT_DISCONNECTED' || gone.failure.code === 'PLANT_TIMEOUT', gone.failure.code);
      });
    });

    it('rejects a reply for another round as ROUND_STALE and a reply under another identity as PLANT_IDENTITY_MISMATCH', async () => {
      const plants = [echo('plant-a'), echo('plant-stale', { round: (r) => r - 1 }), echo('plant-liar', { claim: 'plant-a' })];
      await withHarness(make, plants, async ({ grid }) => {
        const events: GridEvent[] = [];
        const off = grid.onEvent((e) => events.push(e));
        const ids = await grid.waitForPlants(3, { timeoutMs: 10_000 });
        const got = byId(await collect(grid.send(ids, task(5, Float64Array.of(1)), { timeoutMs: 800 })));
        off();
        assert.equal(got.get('plant-a')?.ok, true);
        for (const id of ['plant-stale', 'plant-liar']) {
          const r = got.get(id);
          assert.ok(r !== undefined && !r.ok && r.failure.code === 'PLANT_TIMEOUT', `${id}: ${JSON.stringify(r)}`);
        }
        const codes = events.flatMap((e) => (e.type === 'reply-rejected' ? [`${e.plantId}:${e.code}`] : []));
        assert.ok(codes.includes('plant-stale:ROUND_STALE'), codes.join(', '));
        assert.ok(codes.includes('plant-liar:PLANT_IDENTITY_MISMATCH'), codes.join(', '));
      });
    });

    it('rejects a second submission for the same task as DUPLICATE_SUBMISSION', async (t) => {
      await withHarness(make, [echo('plant-a')], async (h) => {
        if (h.submitAs === undefined) {
          t.skip('harness cannot inject raw replies');
          return;
        }
        const ids = await h.grid.waitForPlants(1, { timeoutMs: 10_000 });
        const [first] = await collect(h.grid.send(ids, task(2, Float64Array.of(1)), { timeoutMs: 5_000 }));
        assert.ok(first.ok);
        const verdict = await h.submitAs('plant-a', first);
        assert.ok(!verdict.accepted && verdict.error.code === 'DUPLICATE_SUBMISSION');
        const late = await h.submitAs('plant-a', { ...first, round: 1 });
        assert.ok(!late.accepted && late.error.code === 'ROUND_STALE');
      });
    });
  });
}
