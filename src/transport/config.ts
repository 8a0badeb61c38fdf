import { readFileSync } from 'node:fs';
/**
 * The configuration files of a deployment, parsed once at the edge by Zod: `federation.yaml` for the
 * coordinator and `plant.yaml` for each plant. Errors name the file, the key path and what is
 * allowed (`strategy.kind: Invalid option: expected one of "fedavg"|"fedprox"|…`).
 *
 * @example
 * const config = await readConfigFile('federation.yaml', coordinatorConfigSchema);
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { keyPath } from '../data/schema.js';
import { CrucibleError } from '../errors.js';
import { type ModelSpec, parseModelSpec } from '../hybrid/model-spec.js';
import { CHANNEL_KEY_SESSIONS } from '../privacy/secagg/channel.js';
import { coordinatorDriftConfigSchema, plantDriftConfigSchema } from '../drift/config.js';

const int = (min: number): z.ZodNumber => z.number().int().min(min);

/**
 * The federated model (identical on the coordinator and every plant): the `model` section of
 * `src/hybrid/model-spec.ts` — `kind: neural | classifier | hybrid` — parsed by `parseModelSpec`, so
 * its errors name the offending key (`model.kind`, `model.hidden[1]`). A section without `kind` but
 * with `widths` (`{ widths, activation, seed }`) is a neural model.
 */
export const modelConfigSchema = z.unknown().transform((value, ctx): ModelSpec => {
  try {
    return parseModelSpec(value, 'model');
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^invalid model section /, '') });
    return z.NEVER;
  }
});

/** TLS files, or the explicit word `insecure` (tests and loopback only). */
const serverTlsSchema = z.union(
  [
    z.literal('insecure'),
    z.object({ ca: z.string(), cert: z.string(), key: z.string(), requireClientCertificate: z.boolean().default(true) }).strict(),
  ],
  { error: "expected 'insecure' or { ca, cert, key } (PEM file paths; optional requireClientCertificate)" },
);

export const strategyConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fedavg'), serverLearningRate: z.number().positive().optional() }).strict(),
  z.object({ kind: z.literal('fedprox'), proximalMu: z.number().min(0), serverLearningRate: z.number().positive().optional() }).strict(),
  ...(['fedadam', 'fedyogi', 'fedadagrad'] as const).map((kind) =>
    z
      .object({
        kind: z.literal(kind),
        serverLearningRate: z.number().positive().optional(),
        beta1: z.number().min(0).max(1).optional(),
        beta2: z.number().min(0).max(1).optional(),
        tau: z.number().positive().optional(),
      })
      .strict(),
  ),
  z.object({ kind: z.literal('scaffold'), serverLearningRate: z.number().positive().optional() }).strict(),
  z.object({ kind: z.literal('median'), serverLearningRate: z.number().positive().optional() }).strict(),
  z.object({ kind: z.literal('trimmed-mean'), trimCount: int(0).optional(), serverLearningRate: z.number().positive().optional() }).strict(),
  z.object({ kind: z.literal('krum'), byzantine: int(0), selected: int(1).optional(), serverLearningRate: z.number().positive().optional() }).strict(),
]);
export type StrategyConfig = z.infer<typeof strategyConfigSchema>;

/** Strategies that aggregate individual updates; under secure aggregation the coordinator sees only their sum. */
export const strategiesNeedingIndividualUpdates = ['median', 'trimmed-mean', 'krum', 'scaffold'] as const;

const statisticsClip = z.strictObject({ featureSum: z.number().positive(), featureSumSq: z.number().positive(), targetSum: z.number().positive(), targetSumSq: z.number().positive() });

/**
 * `secureAggregation` of `federation.yaml`: fit updates (and the feature statistics of federated
 * scaling) are summed by SecAgg(+) (Bonawitz et al., CCS 2017; Bell et al., CCS 2020), so the
 * coordinator learns only the sum. The ranges bound what one plant may contribute per coordinate
 * (values beyond are clipped); all of a round's words must fit in 32 bits, so tighter ranges give
 * finer quantization (see `src/privacy/secagg/fixedPoint.ts`).
 */
export const secureAggregationConfigSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    /** `secagg+` (sparse Harary graph, default) or `secagg` (every plant is every plant's neighbour). */
    variant: z.enum(['secagg+', 'secagg']).default('secagg+'),
    /** Neighbours per plant under SecAgg+. Default: the even number nearest 3·log2(plants), capped at plants − 1. */
    neighbours: int(1).optional(),
    /**
     * Shamir threshold per neighbourhood: a fraction in (0.5, 1) of its share holders (neighbours + 1),
     * or a count (an integer ≥ 2, a strict majority). Default: a strict majority.
     */
    threshold: z
      .number()
      .refine((t) => (t > 0.5 && t < 1) || (Number.isInteger(t) && t >= 2), 'expected a fraction in (0.5, 1) or an integer count ≥ 2 (a strict majority of the share holders)')
      .optional(),
    /** Fewest plants whose sum may be released. Default: the threshold. */
    minimumPlants: int(2).optional(),
    /** Largest |weighted update| per coordinate a plant contributes; beyond it values are clipped. */
    updateClipRange: z.number().positive().default(10),
    /**
     * Capped example weights w = min(1, n / exampleCap) (McMahan et al., ICLR 2018). At or above the
     * largest plant's training rows, the aggregate weights plants exactly as plaintext FedAvg does.
     */
    exampleCap: int(1).default(100_000),
    /** Largest per-plant sums of the feature statistics (Σx, Σx², Σy, Σy²): one number or one per array. */
    statisticsClipRange: z.union([z.number().positive(), statisticsClip]).default({ featureSum: 1e6, featureSumSq: 1e9, targetSum: 1e6, targetSumSq: 1e9 }),
  })
  .default({ enabled: false, variant: 'secagg+', updateClipRange: 10, exampleCap: 100_000, statisticsClipRange: { featureSum: 1e6, featureSumSq: 1e9, targetSum: 1e6, targetSumSq: 1e9 } });
export type SecureAggregationConfig = z.infer<typeof secureAggregationConfigSchema>;

const privacyBudgetSchema = z.strictObject({ epsilon: z.number().positive(), delta: z.number().gt(0).lt(1) });

/**
 * `differentialPrivacy` of `federation.yaml` (optional): client-level DP for the whole run, with
 * every round in the store's privacy ledger and the run stopped (BUDGET_EXHAUSTED, last checkpoint
 * kept) before a round would exceed `budget`. `central`: DP-FedAvg, plants clip and the coordinator
 * adds Gaussian noise to the sum; `distributed`: plants add discrete Gaussian noise under secure
 * aggregation (see docs/privacy.md and `src/privacy/dp/privateStrategy.ts`).
 */
export const differentialPrivacyConfigSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('central'),
    noiseMultiplier: z.number().positive(),
    clipping: z.discriminatedUnion('kind', [
      z.strictObject({ kind: z.literal('fixed'), clipNorm: z.number().positive() }),
      z.strictObject({
        kind: z.literal('adaptive'),
        initialClipNorm: z.number().positive(),
        targetQuantile: z.number().gt(0).lt(1).optional(),
        learningRate: z.number().positive().optional(),
        countNoiseStdDev: z.number().positive().optional(),
      }),
    ]),
    budget: privacyBudgetSchema,
  }),
  z.strictObject({
    kind: z.literal('distributed'),
    clipNorm: z.number().positive(),
    granularity: z.number().positive().refine((g) => 2 ** Math.round(Math.log2(g)) === g, 'expected a power of two (e.g. 0.000244140625 = 2^-12)'),
    localNoiseStdDev: z.number().min(0.5),
    minimumPlants: int(2),
    budget: privacyBudgetSchema,
  }),
]);
export type DifferentialPrivacyConfig = z.infer<typeof differentialPrivacyConfigSchema>;

/** `federation.yaml`. */
export const coordinatorConfigSchema = z
  .object({
    runId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/).default('run-1'),
    listen: z.object({ host: z.string().default('127.0.0.1'), port: int(0).max(65535).default(7443) }).strict().default({ host: '127.0.0.1', port: 7443 }),
    /** SQLite file of runs, rounds, checkpoints and the plant registry. */
    store: z.string().default('crucible.db'),
    tls: serverTlsSchema,
    model: modelConfigSchema,
    strategy: strategyConfigSchema.default({ kind: 'fedavg' }),
    /** Personalization: evaluate after this many local fine-tuning steps per plant (0 = off). */
    personalizationSteps: int(0).default(0),
    rounds: int(1),
    seed: int(0).default(0),
    minPlants: int(1).default(1),
    plantsPerRound: int(1).optional(),
    evaluateEvery: int(0).default(1),
    featureScaling: z.boolean().default(true),
    training: z
      .object({
        epochs: int(1).default(1),
        batchSize: int(1).default(32),
        learningRate: z.number().positive().default(0.01),
        optimizer: z.enum(['sgd', 'adam']).default('sgd'),
        maxSteps: int(1).optional(),
      })
      .strict()
      .default({ epochs: 1, batchSize: 32, learningRate: 0.01, optimizer: 'sgd' }),
    timeouts: z
      .object({ waitForPlantsMs: int(1).default(60_000), fitMs: int(1).default(120_000), evaluateMs: int(1).default(60_000) })
      .strict()
      .default({ waitForPlantsMs: 60_000, fitMs: 120_000, evaluateMs: 60_000 }),
    straggler: z
      .discriminatedUnion('kind', [z.object({ kind: z.literal('wait-for-all') }).strict(), z.object({ kind: z.literal('grace-after-quorum'), graceMs: int(0) }).strict()])
      .default({ kind: 'wait-for-all' }),
    maxMessageMiB: z.number().positive().max(2047).default(64),
    heartbeatIntervalMs: int(50).default(5000),
    secureAggregation: secureAggregationConfigSchema,
    /** Watch the plants for drift after the run and retrain from the deployed model (src/drift/config.ts). */
    drift: coordinatorDriftConfigSchema.optional(),
    differentialPrivacy: differentialPrivacyConfigSchema.optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const individual: readonly string[] = strategiesNeedingIndividualUpdates;
    if (config.differentialPrivacy !== undefined && individual.includes(config.strategy.kind)) {
      ctx.addIssue({ code: 'custom', path: ['strategy', 'kind'], message: `'${config.strategy.kind}' aggregates individual updates; differential privacy noises their sum: use fedavg, fedprox, fedadam, fedyogi or fedadagrad` });
    }
    if (config.differentialPrivacy?.kind === 'distributed' && !config.secureAggregation.enabled) {
      ctx.addIssue({ code: 'custom', path: ['differentialPrivacy', 'kind'], message: "'distributed' has the plants add the noise, which only hides their updates under secure aggregation: set secureAggregation.enabled: true, or use kind: central" });
    }
    if (config.secureAggregation.enabled && individual.includes(config.strategy.kind)) {
      ctx.addIssue({
        code: 'custom',
        path: ['strategy', 'kind'],
        message: `'${config.strategy.kind}' needs each plant's update, secure aggregation reveals only their sum: use fedavg, fedprox, fedadam, fedyogi or fedadagrad, or set secureAggregation.enabled: false`,
      });
    }
    // The coordinator has no data: the model's input and output widths must come from the config.
    if (config.model.kind === 'neural' && config.model.widths === undefined) {
      ctx.addIssue({ code: 'custom', path: ['model', 'widths'], message: 'the coordinator needs the layer widths input → output of a neural model (e.g. widths: [4, 32, 1])' });
    }
    if (config.model.kind === 'classifier' && config.model.inputs === undefined) {
      ctx.addIssue({ code: 'custom', path: ['model', 'inputs'], message: 'the coordinator needs the number of input features of a classifier (e.g. inputs: 5)' });
    }
  });
export type CoordinatorConfig = z.infer<typeof coordinatorConfigSchema>;

/** Where a plant's data comes from. */
export const plantDataConfigSchema = z.discriminatedUnion('kind', [
  /** A CSV file and its schema (crucible's plant-data format). */
  z.object({ kind: z.literal('csv'), file: z.string(), schema: z.string() }).strict(),
  /** Synthetic linear data drawn from a seed (demos and tests without files). */
  z
    .object({
      kind: z.literal('synthetic'),
      seed: int(0),
      rows: int(2),
      weights: z.array(z.number()).min(1),
      featureStd: z.array(z.number().positive()).min(1),
      featureMean: z.array(z.number()).optional(),
      bias: z.number().optional(),
      noiseStd: z.number().min(0).optional(),
    })
    .strict(),
]);

export type PlantDataConfig = z.infer<typeof plantDataConfigSchema>;

/** `plant.yaml`. */
export const plantConfigSchema = z
  .object({
    /** `host:port` of the coordinator. */
    coordinator: z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port'),
    /** File holding the plant's bearer token (written by `crucible enroll`). */
    token: z.string(),
    tls: z.union(
      [
        z.literal('insecure'),
        z.object({ ca: z.string(), cert: z.string(), key: z.string(), serverName: z.string().optional() }).strict(),
      ],
      { error: "expected 'insecure' or { ca, cert, key } (PEM file paths; optional serverName)" },
    ),
    model: modelConfigSchema,
    /** Optional when the CLI is given --data and --schema. */
    data: plantDataConfigSchema.optional(),
    validationFraction: z.number().gt(0).lt(1).default(0.2),
    splitSeed: int(0).default(0),
    mode: z.enum(['stream', 'poll']).default('stream'),
    /**
     * Every plant answers secure-aggregation rounds; with `required: true` it also refuses fit and
     * statistics tasks sent in the clear (SECAGG_REQUIRED), so its update never leaves unmasked.
     */
    secureAggregation: z
      .strictObject({
        required: z.boolean().default(false),
        /** Sessions one share-channel key pair serves (src/privacy/secagg/channel.ts); 1 = fresh per session. */
        channelKeySessions: int(1).default(CHANNEL_KEY_SESSIONS),
      })
      .default({ required: false, channelKeySessions: CHANNEL_KEY_SESSIONS }),
    /** Reconnect backoff: capped exponential with full jitter. */
    reconnect: z
      .object({ initialMs: int(1).default(200), maxMs: int(1).default(10_000) })
      .strict()
      .default({ initialMs: 200, maxMs: 10_000 }),
    /** Monitor the deployed model on incoming rows and report drift (flags and scores) to the coordinator (src/drift/config.ts). */
    drift: plantDriftConfigSchema(plantDataConfigSchema).optional(),
  })
  .strict();
export type PlantConfig = z.infer<typeof plantConfigSchema>;

/** Validates a parsed config object; CONFIG_INVALID lists every offending key of `source`. */
export function parseConfig<T extends z.ZodType>(value: unknown, schema: T, source: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: keyPath(i.path), message: i.message }));
  throw new CrucibleError('CONFIG_INVALID', `Invalid configuration ${source}:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, { file: source, issues });
}

/** Reads a YAML (or JSON) config file, validates it, and resolves its relative file paths against the file's folder. */
export async function readConfigFile<T extends z.ZodType>(path: string, schema: T): Promise<z.infer<T>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CrucibleError('CONFIG_INVALID', `Cannot read configuration ${path}: ${(e as Error).message}`, { file: path });
  }
  let value: unknown;
  try {
    value = YAML.parse(text, { prettyErrors: true });
  } catch (e) {
    throw new CrucibleError('CONFIG_INVALID', `Cannot parse configuration ${path}: ${(e as Error).message}`, { file: path });
  }
  return parseConfig(value, schema, path);
}

/** `file` relative to the folder of the config file `configPath` (absolute paths unchanged). */
export function relativeTo(configPath: string, file: string): string {
  return isAbsolute(file) ? file : resolve(dirname(configPath), file);
}

/** The CA, certificate and key PEM texts a config's `tls` section names (paths resolved by `file`). */
export function readTlsPems(tls: { ca: string; cert: string; key: string }, file: (path: string) => string): { caCertPem: string; certPem: string; keyPem: string } {
  return {
    caCertPem: readFileSync(file(tls.ca), 'utf8'),
    certPem: readFileSync(file(tls.cert), 'utf8'),
    keyPem: readFileSync(file(tls.key), 'utf8'),
  };
}
