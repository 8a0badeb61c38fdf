/**
 * Client-level DP at the plant, as the round asks for it: the plant middleware every deployed plant
 * runs (inside secure aggregation, so what it produces is what gets masked). A fit task configured
 * by `privateStrategy` carries the plant's part of the mechanism in its config:
 *
 * - `dpGranularity`, `dpLocalNoiseStdDev`, `dpClipNorm` — distributed DP (Kairouz et al., ICML
 *   2021): clip, integer grid, stochastic rounding, discrete Gaussian noise (`noisedReply`);
 * - `dpClipNorm` alone — DP-FedAvg (McMahan et al., ICLR 2018): clip the update and report whether
 *   it was clipped (`clippedReply`); the coordinator adds the noise to the (secure) sum.
 *
 * A task without these keys passes through untouched. The plant follows the coordinator's settings,
 * as the honest-but-curious model assumes; `minimumLocalNoiseStdDev` and `maximumClipNorm` let a
 * plant refuse (UPDATE_REJECTED, as data) a round that asks for less privacy than it accepts.
 *
 * @example
 * createPlant({ plantId, data, model, middleware: [secureAggregationPlant(), dpFromTask()] });
 */
import { CrucibleError } from '../../errors.js';
import type { PlantReply, TaskMessage } from '../../federation/messages.js';
import type { PlantMiddleware } from '../../federation/plant.js';
import { clippedReply } from './clipUpdates.js';
import { noisedReply } from './distributedDp.js';
import { CryptoUniform, type UniformSource } from './noise.js';

export interface DpFromTaskOptions {
  /** Refuse distributed-DP rounds with less local noise than this (grid units). Default: no floor. */
  readonly minimumLocalNoiseStdDev?: number;
  /** Refuse rounds that clip at a larger norm than this. Default: no ceiling. */
  readonly maximumClipNorm?: number;
  /** Randomness of rounding and noise. Default: the OS CSPRNG. Pass a seeded `Rng` only in simulations. */
  readonly uniform?: UniformSource;
}

export function dpFromTask(options: DpFromTaskOptions = {}): PlantMiddleware {
  const uniform = options.uniform ?? new CryptoUniform();
  return (next, plant) => async (task) => {
    const reply = await next(task);
    if (task.kind !== 'fit' || !reply.ok) return reply;
    const { dpClipNorm, dpGranularity, dpLocalNoiseStdDev } = task.config;
    if (dpClipNorm === undefined) return reply;
    const refuse = (why: string): PlantReply => ({
      ok: false, kind: task.kind, runId: task.runId, round: task.round, plantId: plant.plantId,
      failure: { code: 'UPDATE_REJECTED', message: `plant ${plant.plantId} refuses round ${task.round}: ${why}` },
    });
    const clipNorm = number(task, 'dpClipNorm');
    if (options.maximumClipNorm !== undefined && clipNorm > options.maximumClipNorm) return refuse(`clip norm ${clipNorm} exceeds this plant's maximum ${options.maximumClipNorm}`);
    if (dpGranularity === undefined && dpLocalNoiseStdDev === undefined) return clippedReply(reply, clipNorm);
    const localNoiseStdDev = number(task, 'dpLocalNoiseStdDev');
    if (options.minimumLocalNoiseStdDev !== undefined && localNoiseStdDev < options.minimumLocalNoiseStdDev) {
      return refuse(`local noise σ = ${localNoiseStdDev} is below this plant's minimum ${options.minimumLocalNoiseStdDev}`);
    }
    return noisedReply(reply, { clipNorm, granularity: number(task, 'dpGranularity'), localNoiseStdDev }, uniform);
  };
}

function number(task: TaskMessage, key: string): number {
  const v = task.config[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new CrucibleError('MESSAGE_MALFORMED', `fit task of round ${task.round}: '${key}' must be a finite number, got ${JSON.stringify(v)}`);
  }
  return v;
}
