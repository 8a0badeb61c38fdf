/**
 * What travels between the coordinator and plants. Every message is one generic envelope — a `kind`,
 * the run and round it belongs to, a small JSON `config`, named float64 `arrays` (binary on the
 * wire, never JSON numbers) and optional opaque `bytes` (key material for secure aggregation) — so
 * the transport encodes ONE message shape and new kinds (secure-aggregation setup, unmasking) need
 * no protocol change. The typed views below (`FitTask`, `FitReply`, …) name what each kind carries.
 * (Flower's Message + RecordDict follow the same idea.)
 *
 * A plant's failure is data in its reply (`ok: false` with a code), never an exception.
 *
 * @example
 * const task: FitTask = {
 *   kind: 'fit', runId: 'run-1', round: 3,
 *   config: { epochs: 1, batchSize: 32, learningRate: 0.01, optimizer: 'sgd', seed: 17 },
 *   arrays: { parameters: global },
 * };
 */
import type { ErrorCode } from '../errors.js';

/** A JSON-serialisable config value (undefined fields are dropped on the wire). */
export type ConfigValue = number | string | boolean | null | undefined | readonly number[] | readonly string[];
/** Small scalar settings of a task or reply; travels as JSON. */
export type ConfigRecord = Readonly<Record<string, ConfigValue>>;
/** Named float64 vectors; travel as little-endian binary (undefined entries are dropped on the wire). */
export type ArrayRecord = Readonly<Record<string, Float64Array | undefined>>;
/** Named opaque byte strings (keys, shares, ciphertexts). */
export type BytesRecord = Readonly<Record<string, Uint8Array>>;

/** The task kinds of the core. Middleware and secure aggregation may add their own (e.g. 'secagg.setup'). */
export type CoreTaskKind = 'fit' | 'evaluate' | 'statistics';

/** A task the coordinator sends to one plant. */
export interface TaskMessage {
  readonly kind: string;
  /** The federation run; a plant's reply must echo it. */
  readonly runId: string;
  /** The round (1-based; 0 for set-up tasks such as feature statistics). */
  readonly round: number;
  readonly config: ConfigRecord;
  readonly arrays: ArrayRecord;
  readonly bytes?: BytesRecord;
}

/** Why a plant could not do its task (also synthesised by the grid for timeouts and disconnects). */
export interface PlantFailure {
  readonly code: ErrorCode;
  readonly message: string;
}

interface ReplyHeader {
  /** Echoes the task's kind, run and round. */
  readonly kind: string;
  readonly runId: string;
  readonly round: number;
  /** Who answers; the grid checks it against the authenticated sender. */
  readonly plantId: string;
}

/** A plant's successful answer. */
export interface ReplyOk extends ReplyHeader {
  readonly ok: true;
  /** Examples the result was computed from (aggregation weight). */
  readonly numExamples: number;
  /** Scalar metrics (e.g. trainLoss, mse). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly arrays: ArrayRecord;
  readonly bytes?: BytesRecord;
}

/** A plant's failure, as data. */
export interface ReplyFailure extends ReplyHeader {
  readonly ok: false;
  readonly failure: PlantFailure;
}

export type PlantReply = ReplyOk | ReplyFailure;

// ---------------------------------------------------------------------------------------------
// Typed views of the core kinds.

/** How a plant trains locally in one round (set by the run's options and the strategy). */
export type LocalTrainingConfig = {
  /** Passes over the plant's training split. */
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Local optimizer. SCAFFOLD assumes 'sgd'. */
  readonly optimizer: 'sgd' | 'adam';
  /** Optional cap on local optimizer steps (after which training stops mid-epoch). */
  readonly maxSteps?: number;
};

/** The config of a fit task. */
export type FitConfig = LocalTrainingConfig & {
  /** Seed of this round's local randomness (batch order); derived from (run seed, round, plant). */
  readonly seed: number;
  /** FedProx proximal weight μ: local loss + μ/2·‖w − w_global‖² (Li et al., MLSys 2020). */
  readonly proximalMu?: number;
  /** SCAFFOLD: correct local gradients by c − c_i (server control in `arrays.serverControl`). */
  readonly scaffold?: boolean;
  /** SCAFFOLD: the last round whose result from this plant the server aggregated (its c_i base); 0 if none. */
  readonly controlRound?: number;
};

/** `kind: 'fit'`: train from the global parameters and return the update. */
export interface FitTask extends TaskMessage {
  readonly kind: 'fit';
  readonly config: FitConfig;
  readonly arrays: ScalingArrays & {
    /** The global model's flat parameter vector. */
    readonly parameters: Float64Array;
    /** SCAFFOLD server control variate c. */
    readonly serverControl?: Float64Array;
  };
}

/** The arrays of a successful fit reply. */
export interface FitArrays {
  /** Local minus global parameters after local training (the update that leaves the plant). */
  readonly update: Float64Array;
  /** SCAFFOLD: c_i⁺ − c_i. */
  readonly controlDelta?: Float64Array;
  readonly [name: string]: Float64Array | undefined;
}

/** A successful fit reply. `metrics.trainLoss` is the mean loss of the last local epoch. */
export interface FitReply extends ReplyOk {
  readonly kind: 'fit';
  readonly arrays: FitArrays & ArrayRecord;
}

/** The config of an evaluate task. */
export type EvaluateConfig = {
  /** Personalization: local fine-tuning steps before evaluating (0 = evaluate the global model as is). */
  readonly fineTuneSteps?: number;
  readonly fineTuneLearningRate?: number;
  readonly batchSize?: number;
  readonly seed?: number;
};

/** `kind: 'evaluate'`: evaluate the global parameters on the plant's held-out split. */
export interface EvaluateTask extends TaskMessage {
  readonly kind: 'evaluate';
  readonly config: EvaluateConfig;
  readonly arrays: ScalingArrays & { readonly parameters: Float64Array };
}

/**
 * A successful evaluate reply: `metrics` holds mse, rmse, mae, r2 (per plant, in target units);
 * `arrays` holds per-output sums from which the coordinator pools exact global metrics:
 * sse, sae, sumY, sumYSq (see `evaluation.ts`).
 */
export interface EvaluateReply extends ReplyOk {
  readonly kind: 'evaluate';
}

/**
 * `kind: 'statistics'`: per-feature sums of the plant's training split, for federated feature
 * scaling. The reply carries `featureSum`, `featureSumSq`, `targetSum`, `targetSumSq` and
 * `numExamples`; only their sum over plants is used (see `feature-scaling.ts`).
 */
export interface StatisticsTask extends TaskMessage {
  readonly kind: 'statistics';
}

/** Global feature/target standardisation sent with fit and evaluate tasks (absent = raw units). */
export type ScalingArrays = {
  readonly featureMean?: Float64Array;
  readonly featureStd?: Float64Array;
  readonly targetMean?: Float64Array;
  readonly targetStd?: Float64Array;
};

/** A failure reply for `task`, answered by `plantId`. */
export function failureReply(task: Pick<TaskMessage, 'kind' | 'runId' | 'round'>, plantId: string, failure: PlantFailure): ReplyFailure {
  return { ok: false, kind: task.kind, runId: task.runId, round: task.round, plantId, failure };
}

/** Whether `reply` is a successful fit reply. */
export function isFitReply(reply: PlantReply): reply is FitReply {
  return reply.ok && reply.kind === 'fit';
}
