/**
 * Partial federation: a plant keeps some parameters of the model to itself (its furnace efficiency,
 * its catalyst activity) while the rest are federated (FedPer, Arivazhagan et al. 2019; the
 * "personal layers" pattern). Implemented as plant middleware over the ordinary plant pipeline, so
 * strategies, secure aggregation and DP need no change:
 *
 * - on every fit, evaluate or drift task, the plant overwrites the plant-specific entries of the
 *   received global vector with its own current values before training/evaluating;
 * - on a fit reply, it stores its newly trained plant-specific values and ZEROES those entries of
 *   the update it sends, so they never leave the plant and the aggregate leaves the global copies
 *   of them untouched (zero under FedAvg, FedAdam, median, Krum alike). SCAFFOLD's control delta
 *   is zeroed there too.
 *
 * Put this middleware LAST (innermost) in the plant's list: DP clipping and secure-aggregation
 * masking, listed before it, then act on the update as sent — without the local entries.
 *
 * @example
 * const local = keepPlantParametersLocal(model.indicesOf('plant'));
 * createPlant({ plantId, data, model: factory, middleware: [dp, local.middleware] });
 * local.values(); // this plant's fitted efficiency etc. (raw values), after its first fit
 */
import type { PlantReply } from '../federation/messages.js';
import type { PlantMiddleware } from '../federation/plant.js';

/** The plant-side store of plant-specific parameters and the middleware that applies it. */
export interface PlantLocalParameters {
  readonly middleware: PlantMiddleware;
  /** The plant's current raw values at the plant-specific indices (undefined before its first fit). */
  values(): Float64Array | undefined;
  /** `global` with this plant's values written at the plant-specific indices (a copy). */
  personalize(global: Float64Array): Float64Array;
}

/** Middleware keeping the entries at `indices` of the flat parameter vector local to the plant. */
export function keepPlantParametersLocal(indices: ArrayLike<number>): PlantLocalParameters {
  const idx = Int32Array.from(indices as ArrayLike<number>);
  for (let k = 0; k < idx.length; k++) {
    if (!Number.isInteger(idx[k]) || idx[k] < 0) throw new RangeError(`keepPlantParametersLocal: index ${k} is ${idx[k]}, expected an integer ≥ 0`);
  }
  let local: Float64Array | undefined;

  const personalize = (global: Float64Array): Float64Array => {
    const out = global.slice();
    if (local === undefined) return out;
    for (let k = 0; k < idx.length; k++) {
      if (idx[k] >= out.length) throw new RangeError(`keepPlantParametersLocal: index ${idx[k]} is outside the ${out.length}-parameter model`);
      out[idx[k]] = local[k];
    }
    return out;
  };

  const middleware: PlantMiddleware = (next) => async (task) => {
    const global = task.arrays.parameters;
    if ((task.kind !== 'fit' && task.kind !== 'evaluate' && task.kind !== 'drift') || global === undefined) return next(task);
    const start = personalize(global);
    const reply: PlantReply = await next({ ...task, arrays: { ...task.arrays, parameters: start } });
    if (!reply.ok || reply.kind !== 'fit' || reply.arrays.update === undefined) return reply;
    const update = reply.arrays.update.slice();
    const trained = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) {
      trained[k] = start[idx[k]] + update[idx[k]];
      update[idx[k]] = 0;
    }
    local = trained;
    const controlDelta = reply.arrays.controlDelta?.slice();
    if (controlDelta !== undefined) for (let k = 0; k < idx.length; k++) controlDelta[idx[k]] = 0;
    return { ...reply, arrays: { ...reply.arrays, update, ...(controlDelta === undefined ? {} : { controlDelta }) } };
  };

  return { middleware, values: () => local?.slice(), personalize };
}
