import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalQuantile } from './chance.js';

test('the normal quantile matches published values and is antisymmetric', () => {
  // Abramowitz & Stegun table 26.5 / R's qnorm.
  const known: [number, number][] = [[0.5, 0], [0.975, 1.959963984540054], [0.95, 1.6448536269514722], [0.99, 2.3263478740408408], [0.999, 3.090232306167813], [1e-10, -6.361340902404056]];
  for (const [p, z] of known) assert.ok(Math.abs(normalQuantile(p) - z) < 1e-12 * Math.max(1, Math.abs(z)), `Φ⁻¹(${p}) = ${normalQuantile(p)}, expected ${z}`);
  for (const p of [0.001, 0.2, 0.3, 0.41]) assert.ok(Math.abs(normalQuantile(p) + normalQuantile(1 - p)) < 1e-12);
  assert.throws(() => normalQuantile(1), /p must be in \(0, 1\)/);
});
