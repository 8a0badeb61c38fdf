import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cumeneFlowsheetSpec } from './cumene/process.js';
import { Flowsheet } from './flowsheet.js';
import { type GraphEdge, chooseTears, elementaryCycles, planTears, stronglyConnectedComponents } from './tearing.js';

/** Edges from pairs, stream index = position. */
const edges = (pairs: [number, number][]): GraphEdge[] => pairs.map(([from, to], stream) => ({ stream, from, to }));

test('Tarjan finds the strongly connected components of a graph with two loops and a tail', () => {
  // 0 → 1 → 2 → 0 is one component, 3 ⇄ 4 another, 5 stands alone downstream.
  const g = edges([[0, 1], [1, 2], [2, 0], [2, 3], [3, 4], [4, 3], [4, 5]]);
  const sccs = stronglyConnectedComponents(6, g).map((c) => c.join(',')).sort();
  assert.deepEqual(sccs, ['0,1,2', '3,4', '5']);
});

test('the complete digraphs on 3 and 4 nodes have 5 and 20 elementary cycles', () => {
  const complete = (n: number): GraphEdge[] => {
    const pairs: [number, number][] = [];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) pairs.push([i, j]);
    return edges(pairs);
  };
  assert.equal(elementaryCycles([0, 1, 2], complete(3)).length, 5);
  assert.equal(elementaryCycles([0, 1, 2, 3], complete(4)).length, 20); // 6 two-cycles, 8 three-cycles, 6 four-cycles
});

test('parallel streams and self-loops are loops of their own', () => {
  const g = edges([[0, 1], [1, 0], [1, 0], [1, 1]]);
  const plan = planTears(2, g);
  assert.equal(plan.loops.length, 3);
  assert.equal(plan.maxTearsPerLoop, 1);
  // Stream 0 breaks both two-unit loops once each; the self-loop needs its own tear.
  assert.deepEqual(plan.tears, [0, 3]);
});

test('two loops sharing a stream are both broken by tearing that one stream', () => {
  // Mixer 0 → reactor 1 → separator 2 → back to 0, and 2 → 3 → 1 through a second recycle.
  const g = edges([[0, 1], [1, 2], [2, 0], [2, 3], [3, 1]]);
  const plan = planTears(4, g);
  assert.deepEqual(plan.tears, [1]);
  assert.equal(plan.maxTearsPerLoop, 1);
  assert.deepEqual(plan.order, [2, 0, 3, 1]);
});

test('tear choice prefers tearing no loop twice over using the fewest tears', () => {
  // Loops over streams a..e (0..4): {a,b}, {c,d}, {a,c}, {b,d}, {a,d,e}. Every 2-stream cover tears
  // some loop twice ({a,c} tears {a,c} twice, {a,d} tears {a,d,e} twice); {b,c,e} tears each once.
  const loops = [[0, 1], [2, 3], [0, 2], [1, 3], [0, 3, 4]];
  assert.deepEqual(chooseTears(loops), [1, 2, 4]);
  // Among covers that tear each loop once, the fewest streams win.
  assert.deepEqual(chooseTears([[0, 1, 2], [2, 3], [2, 4]]), [2]);
});

test('the greedy fallback past the exact-search limit still breaks every loop', () => {
  const loops = [[0, 1], [2, 3], [0, 2], [1, 3], [0, 3, 4]];
  const tears = chooseTears(loops, 2);
  for (const loop of loops) assert.ok(loop.some((s) => tears.includes(s)), `loop ${loop} not torn by ${tears}`);
});

test('the cumene flowsheet has three nested recycles, all torn once by the benzene column feed', () => {
  const fs = Flowsheet.from(cumeneFlowsheetSpec);
  const plan = planTears(fs.units.length, fs.edges());
  assert.equal(plan.loops.length, 3);
  assert.deepEqual(plan.tears.map((s) => fs.streams[s].name), ['benzeneColumnFeed']);
  assert.equal(plan.maxTearsPerLoop, 1);
  const order = plan.order.map((u) => fs.units[u].name);
  assert.equal(order[0], 'C1');
  assert.ok(order.indexOf('MIX') < order.indexOf('R1') && order.indexOf('C3') < order.indexOf('TA'));
});
