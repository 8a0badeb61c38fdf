/**
 * Learning-rate schedules: functions from the step number (0-based) to a learning rate, passed as
 * the `lr` option of an optimizer.
 *
 * @example
 * const lr = warmupSchedule(cosineSchedule(1e-3, { totalSteps: 10_000, minLr: 1e-5 }), { steps: 500 });
 * new Adam(model.parameters, { lr });
 */
import type { Schedule } from './optimizer.js';

function positive(op: string, name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${op}: ${name} must be a positive finite number, got ${v}`);
}

/** The same rate at every step. */
export function constantSchedule(lr: number): Schedule {
  positive('constantSchedule', 'lr', lr);
  return () => lr;
}

/** lr · gamma^⌊step / stepSize⌋: multiply by `gamma` every `stepSize` steps. */
export function stepSchedule(lr: number, options: { stepSize: number; gamma?: number }): Schedule {
  positive('stepSchedule', 'lr', lr);
  positive('stepSchedule', 'stepSize', options.stepSize);
  const gamma = options.gamma ?? 0.1;
  positive('stepSchedule', 'gamma', gamma);
  return (step) => lr * Math.pow(gamma, Math.floor(step / options.stepSize));
}

/**
 * Cosine annealing from `lr` to `minLr` (default 0) over `totalSteps`, then `minLr`
 * (Loshchilov & Hutter, SGDR, ICLR 2017, without restarts).
 */
export function cosineSchedule(lr: number, options: { totalSteps: number; minLr?: number }): Schedule {
  positive('cosineSchedule', 'lr', lr);
  positive('cosineSchedule', 'totalSteps', options.totalSteps);
  const minLr = options.minLr ?? 0;
  return (step) => {
    const t = Math.min(step, options.totalSteps) / options.totalSteps;
    return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * t));
  };
}

/**
 * Linear warm-up from `from`·base to the base schedule over `steps` steps (Goyal et al. 2017), then
 * the base schedule shifted to start where warm-up ends.
 */
export function warmupSchedule(base: Schedule, options: { steps: number; from?: number }): Schedule {
  positive('warmupSchedule', 'steps', options.steps);
  const from = options.from ?? 0;
  return (step) => {
    if (step >= options.steps) return base(step - options.steps);
    const f = from + ((1 - from) * (step + 1)) / options.steps;
    return f * base(0);
  };
}
