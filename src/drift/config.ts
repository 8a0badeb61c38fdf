/**
 * The `drift` sections of `plant.yaml` and `federation.yaml`, as Zod schemas (the transport's
 * config files include them). Plant: where its new operating rows come from, the residual detector
 * and feature tests. Coordinator: how often to ask plants after the run, the retraining policy and
 * the length of a retraining run.
 *
 * @example
 * # plant.yaml
 * drift: { incoming: { kind: csv, file: today.csv, schema: plant.schema.yaml }, detector: { kind: page-hinkley, delta: 0.005, lambda: 0.5 } }
 * # federation.yaml
 * drift: { checkEveryMs: 60000, minDriftingPlants: 2, retrainRounds: 20, maxRetrainings: 3 }
 */
import { z } from 'zod';

const int = (min: number): z.ZodNumber => z.number().int().min(min);

/** Page–Hinkley (δ, λ) or ADWIN (δ) on the |residuals| (see `detectors.ts`). */
export const residualDetectorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('page-hinkley'), delta: z.number().min(0), lambda: z.number().positive(), minSamples: int(1).optional() }),
  z.strictObject({ kind: z.literal('adwin'), delta: z.number().gt(0).lt(1).optional(), maxWindow: int(20).optional(), minSubWindow: int(1).optional() }),
]);

/** The plant's `drift` section; `incoming` takes the plant's data-source schema. */
export function plantDriftConfigSchema<T extends z.ZodType>(incoming: T) {
  return z.strictObject({
    /** The plant's new operating rows, re-read at every check (rows already seen are skipped). */
    incoming,
    detector: residualDetectorSchema.default({ kind: 'page-hinkley', delta: 0.005, lambda: 0.5 }),
    /** Which output's residual to watch (its index among the data's targets). */
    output: int(0).default(0),
    /** Recent rows per feature test window. */
    windowSize: int(10).default(200),
    /** Family-wise significance of the feature tests. */
    featureAlpha: z.number().gt(0).lt(1).default(0.01),
    /** Re-read the plant's `data` when a new run starts, so a retraining run trains on the plant's current data. */
    reloadDataPerRun: z.boolean().default(true),
  });
}

/** The coordinator's `drift` section: watch after the run, retrain when enough plants drift. */
export const coordinatorDriftConfigSchema = z.strictObject({
  checkEveryMs: int(10).default(60_000),
  minDriftingPlants: int(1).default(1),
  minDriftingFraction: z.number().min(0).max(1).default(0),
  /** Rounds of each retraining run (from the deployed model). */
  retrainRounds: int(1),
  /** Retraining runs at most (0: watch and report only). */
  maxRetrainings: int(0).default(1),
  /** Stop watching after this many checks. Default: until the coordinator is stopped. */
  maxChecks: int(1).optional(),
});
export type CoordinatorDriftConfig = z.infer<typeof coordinatorDriftConfigSchema>;
