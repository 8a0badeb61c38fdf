/**
 * Client-level DP at the plant: middleware that clips the `update` of every fit reply to an L2 norm
 * before it leaves the plant (McMahan et al., "Learning Differentially Private Recurrent Language
 * Models", ICLR 2018). It also reports `unclipped` = [1] if the update was within the norm, [0] if
 * it was scaled down — the bit adaptive clipping counts (Andrew et al., NeurIPS 2021); under secure
 * aggregation only the count of these bits reaches the coordinator.
 *
 * The clip norm comes from the task (`config.dpClipNorm`, set by `dpFedAvg`, which adapts it), or
 * from `clipNorm` when the task has none.
 *
 * @example
 * createPlant({ plantId, data, model, middleware: [secureAggregationPlant(), clipUpdates({ clipNorm: 1 })] });
 */
import type { PlantReply } from '../../federation/messages.js';
import type { PlantMiddleware } from '../../federation/plant.js';
import { clipToNorm } from './clip.js';

export interface ClipUpdatesOptions {
  /** Clip norm when the task does not carry one. */
  clipNorm: number;
}

export function clipUpdates(options: ClipUpdatesOptions): PlantMiddleware {
  return (next) => async (task) => {
    const reply = await next(task);
    if (task.kind !== 'fit') return reply;
    const fromTask = task.config.dpClipNorm;
    return clippedReply(reply, typeof fromTask === 'number' ? fromTask : options.clipNorm);
  };
}

/** A fit reply with its `update` clipped to `clipNorm` and the `unclipped` bit added (failures pass through). */
export function clippedReply(reply: PlantReply, clipNorm: number): PlantReply {
  if (!reply.ok || reply.arrays.update === undefined) return reply;
  if (!(clipNorm > 0) || !Number.isFinite(clipNorm)) throw new RangeError(`plant ${reply.plantId}: clip norm must be a positive number, got ${clipNorm}`);
  const { clipped, wasClipped } = clipToNorm(reply.arrays.update, clipNorm);
  return { ...reply, arrays: { ...reply.arrays, update: clipped, unclipped: new Float64Array([wasClipped ? 0 : 1]) } };
}
