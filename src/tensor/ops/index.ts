/**
 * The primitive ops of the numeric core — the one table of what Crucible can differentiate. Each op
 * sits with its gradient rule in the file of its kind; composite ops (`../composite.ts`) are built
 * from these.
 */
export * from './elementwise.js';
export * from './matmul.js';
export * from './dense.js';
export * from './reduce.js';
export * from './shape.js';
export * from './extrema.js';
export * from './slice.js';
export * from './select.js';
export * from './solve.js';
