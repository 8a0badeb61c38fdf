import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { createProgress, progressEnabled, withProgress } from './progress.js';

/** A stream that claims to be a terminal and records what is drawn on it. */
function fakeTerminal(isTTY: boolean): PassThrough & { isTTY: boolean; columns: number; text(): string } {
  const chunks: string[] = [];
  const s = Object.assign(new PassThrough(), { isTTY, columns: 100, text: () => chunks.join('') });
  s.on('data', (c: Buffer) => chunks.push(c.toString()));
  return s;
}

describe('progress bar', () => {
  it('draws the label, the count and the status on a terminal', async () => {
    const stream = fakeTerminal(true);
    const bar = createProgress(3, { label: 'simulating', unit: 'plants', stream });
    assert.equal(bar.enabled, true);
    bar.tick(1, 'plant-a');
    bar.tick(2, 'plant-c');
    bar.stop();
    bar.stop(); // idempotent
    await new Promise((r) => setImmediate(r));
    const text = stream.text();
    assert.match(text, /simulating \[/);
    assert.match(text, /3\/3 plants/);
    assert.match(text, /plant-c/);
  });

  it('draws nothing with --quiet, with --json, or when the stream is not a terminal', async () => {
    for (const [options, tty] of [[{ quiet: true }, true], [{ json: true }, true], [{}, false]] as const) {
      const stream = fakeTerminal(tty);
      assert.equal(progressEnabled({ ...options, stream }), false);
      const bar = createProgress(2, { ...options, stream, label: 'x' });
      assert.equal(bar.enabled, false);
      bar.tick();
      bar.update(2, 'done');
      bar.stop();
      await new Promise((r) => setImmediate(r));
      assert.equal(stream.text(), '');
    }
  });

  it('stops the bar even when the work fails', async () => {
    const stream = fakeTerminal(true);
    await assert.rejects(
      withProgress(5, { stream, label: 'work' }, async (bar) => {
        bar.tick();
        throw new Error('boom');
      }),
      /boom/,
    );
    await new Promise((r) => setImmediate(r));
    // cli-progress shows the cursor again when it stops.
    assert.ok(stream.text().includes('\x1B[?25h'));
  });

  it('rejects a negative total', () => {
    assert.throws(() => createProgress(-1), /total must be a finite number ≥ 0, got -1/);
  });
});
