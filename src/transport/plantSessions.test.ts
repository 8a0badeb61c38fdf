import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PlantSessions } from './plantSessions.js';
import type { WireTask } from './wire.js';

const silenceLimitMs = 150;

function sessions(): { sessions: PlantSessions; dropped: string[] } {
  const dropped: string[] = [];
  return { sessions: new PlantSessions({ silenceLimitMs, onConnected: () => {}, onDisconnected: (id) => dropped.push(id) }), dropped };
}

const task = (taskId: string, deadlineUnixMs: number): WireTask => ({ task_id: taskId, deadline_unix_ms: deadlineUnixMs }) as WireTask;

test('a silent plant with a task open stays connected until the task’s deadline, then is dropped', async () => {
  const { sessions: s, dropped } = sessions();
  void s.poll('plant-a', 0);
  assert.ok(s.deliver('plant-a', task('t1', Date.now() + 700)));
  await sleep(450); // three silence limits without a word: training keeps the plant busy
  assert.deepEqual(s.connected(), ['plant-a']);
  await sleep(700);
  assert.deepEqual(dropped, ['plant-a']);
  s.closeAll();
});

test('a plant that answered its task is held to the silence limit again', async () => {
  const { sessions: s, dropped } = sessions();
  void s.poll('plant-a', 0);
  s.deliver('plant-a', task('t1', Date.now() + 60_000));
  s.answered('plant-a', 't1');
  await sleep(450);
  assert.deepEqual(dropped, ['plant-a']);
  s.closeAll();
});

test('a stall of the coordinator’s own event loop is not counted as the plants’ silence', async () => {
  const { sessions: s, dropped } = sessions();
  void s.poll('plant-a', 0);
  await sleep(20);
  const until = Date.now() + 4 * silenceLimitMs;
  while (Date.now() < until) {
    // The coordinator is busy: its sweep and the plant's heartbeats wait alike.
  }
  await sleep(0); // the overdue sweep runs first, before any heartbeat could be read
  s.heard('plant-a', '');
  assert.deepEqual(dropped, []);
  assert.deepEqual(s.connected(), ['plant-a']);
  s.closeAll();
});
