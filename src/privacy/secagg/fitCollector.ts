/**
 * Secure aggregation on the coordinator's side of the round loop: a `FitCollector` (the seam
 * `runFederation` offers for gathering fit results) that gathers fit results through a SecAgg(+)
 * round instead of in the clear. Strategies are not touched and see only the aggregate.
 *
 * What the strategy receives: one reply per contributing plant, each carrying the SAME aggregate —
 * the weighted mean update Σ wᵢΔᵢ / Σ wᵢ — marked `metrics.secureAggregate = 1` and carrying
 * `metrics.weightSum` (Σ wᵢ) and `metrics.plants`. Why replicas instead of one reply: the round loop
 * checks its quorum by counting accepted replies, and a replicated mean leaves every mean-based
 * strategy (FedAvg, FedProx, FedAdam/Yogi/Adagrad) exactly as with plaintext. Strategies that need
 * individual updates (Krum, median, SCAFFOLD's per-plant controls) cannot work under SecAgg — by design.
 * The example counts are split evenly so their sum is Σ nᵢ; per-plant metrics (train loss) are not
 * released.
 *
 * @example
 * runFederation(grid, fedAvg(), { ...options, collectFit: secureFitCollector({ clipRange: 0.5, exampleCap: 1000 }) });
 */
import { CrucibleError } from '../../errors.js';
import type { FitReply } from '../../federation/messages.js';
import type { DroppedPlant } from '../../federation/round-result.js';
import type { FitCollector } from '../../federation/run.js';
import { type SecureSummationOptions, secureSummation } from './secureSummation.js';
import { WEIGHT_ENTRY } from './layout.js';

/** Gathers fit results by secure aggregation (see the file comment). */
export function secureFitCollector(options: SecureSummationOptions): FitCollector {
  const summation = secureSummation(options);
  return async ({ grid, plantIds, task, options: stage }) => {
    const out = await summation.sum(grid, plantIds, task, { timeoutMs: stage.timeoutMs, signal: stage.signal });
    const dropped: DroppedPlant[] = out.failures.map((f) => ({ plantId: f.plantId, stage: 'fit', code: f.failure.code, message: f.failure.message }));
    for (const d of dropped) stage.onEvent?.({ type: 'plant-dropped', round: stage.round, plant: d });
    const update = out.sums.update;
    if (update === undefined) throw new CrucibleError('UPDATE_REJECTED', `round ${stage.round}: the securely aggregated fit results carry no 'update'`);
    const n = out.contributors.length;
    const weightSum = out.sums[WEIGHT_ENTRY]?.[0] ?? n;
    // Every summed array (update, SCAFFOLD's controlDelta, DP's unclipped bit …) as a weighted mean.
    const arrays = Object.fromEntries(Object.entries(out.sums).filter(([name]) => name !== WEIGHT_ENTRY).map(([name, v]) => [name, v.map((x) => x / weightSum)]));
    const accepted: FitReply[] = out.contributors.map((plantId, i) => ({
      ok: true, kind: 'fit', runId: task(plantId).runId, round: stage.round, plantId,
      numExamples: Math.floor(out.count / n) + (i < out.count % n ? 1 : 0),
      metrics: { secureAggregate: 1, weightSum, plants: n },
      arrays: { ...arrays, update: arrays.update },
    }));
    return { accepted, dropped };
  };
}

/** Whether fit results are secure-aggregate replicas (then they all carry the same mean update). */
export function isSecureAggregate(results: readonly FitReply[]): boolean {
  return results.length > 0 && results.every((r) => r.metrics.secureAggregate === 1);
}
