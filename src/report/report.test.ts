import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { barChart, lineChart, parityPlot } from './svg.js';
import { renderReport, writeReport } from './html.js';

test('a log-scale line chart places larger values higher and labels decades', () => {
  const svg = lineChart([{ name: 'global MSE', points: [[1, 1], [2, 0.1], [3, 0.01]] }], { title: 'MSE', xLabel: 'round', yLabel: 'MSE', logY: true });
  const ys = [...svg.matchAll(/<circle cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(ys.length, 3);
  assert.ok(ys[0] < ys[1] && ys[1] < ys[2], `cy ${ys}`);
  assert.match(svg, />0\.01</);
  assert.match(svg, />1</);
});

test('bars are drawn per category and series with heights proportional to values', () => {
  const svg = barChart(['plant a', 'plant b'], [{ name: 'local', values: [2, 4] }, { name: 'federated', values: [1, 1] }], { title: 'RMSE', xLabel: '', yLabel: 'RMSE' });
  const heights = [...svg.matchAll(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(heights.length, 4);
  assert.ok(Math.abs(heights[2] / heights[0] - 2) < 0.02, `heights ${heights}`);
  assert.match(svg, /plant b/);
});

test('the report escapes text, renders tables and figures, and is written atomically', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crucible-report-'));
  const parity = parityPlot([{ name: 'plant <a>', points: [[0, 0.1], [1, 0.9]] }], { title: 'parity', xLabel: 'measured', yLabel: 'predicted' });
  const path = await writeReport(dir, {
    title: 'Run <1>',
    sections: [{ heading: 'Accuracy', blocks: [{ kind: 'table', columns: ['plant', 'R²'], rows: [['a', 0.98765]] }, { kind: 'figure', svg: parity }] }],
  });
  const html = readFileSync(path, 'utf8');
  assert.match(html, /<title>Run &lt;1&gt;<\/title>/);
  assert.match(html, /<td class="num">0\.9877<\/td>/);
  assert.match(html, /plant &lt;a&gt;/);
  assert.deepEqual(readdirSync(dir), ['report.html']);
  assert.ok(!/<script/i.test(renderReport({ title: 'x', sections: [] })));
});
