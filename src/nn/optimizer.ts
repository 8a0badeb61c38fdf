/**
 * The optimizer contract: a rule that updates a model's flat parameter vector from its flat gradient
 * vector, with all its state in flat Float64Arrays so it can be checkpointed and restored exactly.
 */
import type { Parameters } from './parameters.js';

/** A learning rate as a function of the step number (0-based); see `schedules.ts`. */
export type Schedule = (step: number) => number;

/** Everything an optimizer needs to resume exactly: its step count and its flat buffers. */
export interface OptimizerState {
  readonly kind: string;
  readonly step: number;
  readonly buffers: Readonly<Record<string, Float64Array>>;
}

export interface Optimizer {
  readonly parameters: Parameters;
  /** Number of steps taken. */
  readonly stepCount: number;
  /** The learning rate the next step will use. */
  learningRate(): number;
  /** Updates `parameters.values` from `parameters.grads` (does not zero the gradients). */
  step(): void;
  /** A copy of the state. */
  state(): OptimizerState;
  /** Restores a state from `state()` (same kind and parameter count). */
  loadState(state: OptimizerState): void;
}

/** Resolves a learning-rate option to a schedule, checking a constant one. */
export function toSchedule(op: string, lr: number | Schedule): Schedule {
  if (typeof lr === 'function') return lr;
  if (!Number.isFinite(lr) || lr < 0) throw new RangeError(`${op}: learning rate must be a finite number ≥ 0, got ${lr}`);
  return () => lr;
}

/** Checks a restored state against the optimizer it is loaded into; copies its buffers into `into`. */
export function restoreState(
  op: string,
  state: OptimizerState,
  kind: string,
  into: Record<string, Float64Array>,
): number {
  if (state.kind !== kind) throw new RangeError(`${op}.loadState: state is for '${state.kind}', this optimizer is '${kind}'`);
  if (!Number.isInteger(state.step) || state.step < 0) throw new RangeError(`${op}.loadState: step must be an integer ≥ 0, got ${state.step}`);
  for (const [name, buffer] of Object.entries(into)) {
    const saved = state.buffers[name];
    if (saved === undefined || saved.length !== buffer.length) {
      throw new RangeError(
        `${op}.loadState: buffer '${name}' has ${saved === undefined ? 'no values' : `${saved.length} values`}, expected ${buffer.length}`,
      );
    }
    buffer.set(saved);
  }
  return state.step;
}

/** Copies buffers for a state snapshot. */
export function snapshot(kind: string, step: number, buffers: Record<string, Float64Array>): OptimizerState {
  const copy: Record<string, Float64Array> = {};
  for (const [name, b] of Object.entries(buffers)) copy[name] = b.slice();
  return { kind, step, buffers: copy };
}
