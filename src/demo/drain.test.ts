import { test } from 'node:test';
import assert from 'node:assert/strict';
import { drain } from './drain.js';

test('drain yields the reports while the work runs, then returns its result', async () => {
  const seen: string[] = [];
  const work = async (emit: (e: number) => void): Promise<string> => {
    for (let i = 1; i <= 3; i++) {
      emit(i);
      await new Promise((resolve) => setImmediate(resolve)); // the work yields to the event loop, as training rounds do
      seen.push(`worked ${i}`);
    }
    return 'done';
  };
  const gen = drain(work);
  let step = await gen.next();
  const order: string[] = [];
  while (!step.done) {
    order.push(`report ${step.value} after ${seen.length} steps`);
    step = await gen.next();
  }
  assert.equal(step.value, 'done');
  // Each report arrives before the work has finished the step it announced: progress is live.
  assert.deepEqual(order, ['report 1 after 0 steps', 'report 2 after 1 steps', 'report 3 after 2 steps']);
});

test('drain passes the work\'s failure on after the reports made before it', async () => {
  const gen = drain<number, void>(async (emit) => {
    emit(1);
    await Promise.resolve();
    throw new RangeError('boom at step 2');
  });
  assert.deepEqual(await gen.next(), { value: 1, done: false });
  await assert.rejects(() => gen.next(), /boom at step 2/);
});
