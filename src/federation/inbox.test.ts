import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GridEvents, type GridEvent } from './grid.js';
import { Inbox } from './inbox.js';
import type { PlantReply, TaskMessage } from './messages.js';

const task = (round: number): TaskMessage => ({ kind: 'fit', runId: 'r', round, config: {}, arrays: {} });
const ok = (plantId: string, round: number, from = plantId): PlantReply => ({ ok: true, kind: 'fit', runId: 'r', round, plantId: from, numExamples: 1, metrics: {}, arrays: {} });

describe('Inbox', () => {
  it('yields exactly one reply per plant under any interleaving of answers, duplicates, forgeries, stale replies and disconnects', async () => {
    const action = fc.record({
      plant: fc.integer({ min: 0, max: 4 }),
      what: fc.constantFrom('answer', 'duplicate', 'forge', 'stale', 'disconnect'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 30 }), async (actions) => {
        const events = new GridEvents();
        const rejected: GridEvent[] = [];
        events.on((e) => rejected.push(e));
        const inbox = new Inbox(events);
        const ids = ['p0', 'p1', 'p2', 'p3', 'p4'];
        const stream = inbox.open(new Map(ids.map((id) => [id, task(2)])), { timeoutMs: 5 });
        const answered = new Set<string>();
        for (const { plant, what } of actions) {
          const id = ids[plant];
          if (what === 'answer' || what === 'duplicate') {
            const v = inbox.submit(id, ok(id, 2));
            assert.equal(v.accepted, !answered.has(id));
            if (!v.accepted) assert.ok(v.error.code === 'DUPLICATE_SUBMISSION' || v.error.code === 'ROUND_STALE');
            answered.add(id);
          } else if (what === 'forge') {
            const v = inbox.submit(id, ok(id, 2, ids[(plant + 1) % 5]));
            assert.ok(!v.accepted && v.error.code === 'PLANT_IDENTITY_MISMATCH');
          } else if (what === 'stale') {
            const v = inbox.submit(id, ok(id, 1));
            assert.ok(!v.accepted && v.error.code === 'ROUND_STALE');
          } else {
            inbox.dropPlant(id);
            answered.add(id);
          }
        }
        const replies: PlantReply[] = [];
        for await (const r of stream) replies.push(r);
        assert.deepEqual(replies.map((r) => r.plantId).sort(), ids);
        for (const r of replies) assert.ok(r.ok || ['PLANT_TIMEOUT', 'PLANT_DISCONNECTED'].includes(r.failure.code));
      }),
      { numRuns: 60 },
    );
  });

  it('refuses to open a second task for the same plant, run, round and kind', () => {
    const inbox = new Inbox(new GridEvents());
    inbox.open(new Map([['p', task(1)]]), { timeoutMs: 10 });
    assert.throws(() => inbox.open(new Map([['p', task(1)]]), { timeoutMs: 10 }), /already has an open 'fit' task/);
  });
});
