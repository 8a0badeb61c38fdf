/**
 * A coordinator as one call: open the store, listen on gRPC with the registry's credentials, build
 * the model and strategy from `federation.yaml`, and run (or resume) the round loop with SQLite
 * checkpoints. `crucible coordinator` is this plus printing.
 *
 * @example
 * const coordinator = await startCoordinator(config, { configPath: 'federation.yaml' });
 * for await (const r of coordinator.rounds) console.log(r.round, r.evaluation?.weighted.rmse);
 * await coordinator.close();
 */
import type { Grid } from '../federation/grid.js';
import type { FederationEvent, RoundResult } from '../federation/round-result.js';
import { runFederation } from '../federation/run.js';
import type { Strategy } from '../federation/strategy.js';
import { fedAdagrad, fedAdam, fedAvg, fedProx, fedYogi, krum, median, personalized, scaffold, trimmedMean } from '../federation/strategies/index.js';
import { buildModel, modelShapeOf } from '../hybrid/model-spec.js';
import { CrucibleError, isCrucibleError } from '../errors.js';
import { storePrivacyLedger } from '../privacy/dp/ledger.js';
import { privateStrategy } from '../privacy/dp/privateStrategy.js';
import { SqliteRoundStore } from '../store/roundStore.js';
import { CrucibleStore } from '../store/store.js';
import { readTlsPems, relativeTo, strategiesNeedingIndividualUpdates, type CoordinatorConfig, type StrategyConfig } from './config.js';
import { secureAggregationCoordinator, secureAggregationSettings } from './secureAggregation.js';
import { classifierStrategy, classWeightsForRun } from '../classify/federated.js';
import { plainSummation, type Summation } from '../federation/summation.js';
import type { CoordinatorDriftConfig } from '../drift/config.js';
import { watchForDrift, type DriftWatchEvent } from '../drift/watch.js';
import { secureSummation } from '../privacy/secagg/secureSummation.js';
import { registryAuthenticator } from './credentials.js';
import { GrpcGrid, type ServerSecurity, type TransportLogEntry } from './grpcGrid.js';

export interface StartCoordinatorOptions {
  /** Path of the config file: relative TLS and store paths are resolved against its folder. */
  configPath?: string;
  /** Override of `listen.port` (0 = any free port). */
  port?: number;
  log?: (entry: TransportLogEntry) => void;
  onEvent?: (event: FederationEvent) => void;
  signal?: AbortSignal;
}

export interface RunningCoordinator {
  readonly grid: GrpcGrid;
  readonly store: CrucibleStore;
  readonly port: number;
  /** The round loop; resumes after the last checkpoint of `runId`. Marks the run completed when it ends. */
  readonly rounds: AsyncGenerator<RoundResult, void, undefined>;
  /** With a `drift` section: the drift watch to consume after `rounds` (checks, retraining runs `<runId>.retrain-<k>`). */
  readonly drift?: AsyncGenerator<DriftWatchEvent, void, undefined>;
  close(): Promise<void>;
}

/** Class counts summed in the clear, or by secure aggregation when it is on (a count per plant is at most its examples). */
function classCountSummation(config: CoordinatorConfig): Summation {
  const secure = config.secureAggregation;
  if (!secure.enabled) return plainSummation;
  return { sum: (grid, plantIds, task, o) => secureSummation({ clipRange: secure.exampleCap, ...secureAggregationSettings(secure, plantIds.length) }).sum(grid, plantIds, task, o) };
}

/** The strategy a config names. */
export function strategyFromConfig(config: StrategyConfig): Strategy {
  const { kind, ...options } = config;
  switch (config.kind) {
    case 'fedavg':
      return fedAvg(options);
    case 'fedprox':
      return fedProx({ ...options, proximalMu: config.proximalMu });
    case 'fedadam':
      return fedAdam(options);
    case 'fedyogi':
      return fedYogi(options);
    case 'fedadagrad':
      return fedAdagrad(options);
    case 'scaffold':
      return scaffold(options);
    case 'median':
      return median(options);
    case 'trimmed-mean':
      return trimmedMean(options);
    case 'krum':
      return krum({ ...options, byzantine: config.byzantine });
    default:
      throw new RangeError(`strategyFromConfig: unknown strategy '${kind as string}'`);
  }
}

export async function startCoordinator(config: CoordinatorConfig, options: StartCoordinatorOptions = {}): Promise<RunningCoordinator> {
  const file = (p: string): string => (options.configPath === undefined ? p : relativeTo(options.configPath, p));
  const individual: readonly string[] = strategiesNeedingIndividualUpdates;
  if (config.secureAggregation.enabled && individual.includes(config.strategy.kind)) {
    // The schema refuses this too; a config built in code may not have passed through it.
    throw new CrucibleError('CONFIG_INVALID', `${options.configPath ?? 'federation config'}: strategy.kind '${config.strategy.kind}' needs each plant's update, secure aggregation reveals only their sum`, { key: 'strategy.kind' });
  }
  const store = CrucibleStore.open(config.store === ':memory:' ? ':memory:' : file(config.store));
  const security: ServerSecurity =
    config.tls === 'insecure'
      ? { kind: 'insecure' }
      : {
          kind: 'tls',
          ...readTlsPems(config.tls, file),
          requireClientCertificate: config.tls.requireClientCertificate,
        };
  const lastTouch = new Map<string, number>();
  const grid = await GrpcGrid.listen({
    security,
    host: config.listen.host,
    port: options.port ?? config.listen.port,
    authenticator: registryAuthenticator(store.plants, { requireClientCertificate: security.kind === 'tls' && security.requireClientCertificate !== false }),
    maxMessageBytes: Math.round(config.maxMessageMiB * 1024 * 1024),
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    log: options.log,
    onPlantSeen: (plantId) => {
      // `crucible status` shows last-seen times; one write per plant per second is plenty.
      const now = Date.now();
      if (now - (lastTouch.get(plantId) ?? 0) < 1000) return;
      lastTouch.set(plantId, now);
      store.plants.touch(plantId, new Date(now));
    },
  });
  const run = store.createRun({ id: config.runId, config });
  // A restart after a failure (quorum lost, process killed) resumes the run: it is running again.
  if (run.status !== 'completed') store.setRunStatus(config.runId, 'running');
  const shape = modelShapeOf(config.model);
  if (shape === undefined) throw new CrucibleError('CONFIG_INVALID', `${options.configPath ?? 'federation config'}: model: the coordinator cannot size a '${config.model.kind}' model without its input and output widths`, { key: 'model' });
  const model = buildModel(config.model, shape);
  let strategy = strategyFromConfig(config.strategy);
  // Differential privacy wraps the aggregation; its ledger lives in the run's store, so a restarted
  // coordinator resumes with the budget already spent.
  const dp = config.differentialPrivacy === undefined ? undefined : privateStrategy(strategy, config.differentialPrivacy, {
    ledger: storePrivacyLedger(store, config.runId), dimension: model.parameters.count, plants: config.plantsPerRound ?? config.minPlants,
  });
  if (dp !== undefined) strategy = dp.strategy;
  if (config.personalizationSteps > 0) {
    strategy = personalized(strategy, { fineTuneSteps: config.personalizationSteps, learningRate: config.training.learningRate, batchSize: config.training.batchSize });
  }
  const federationOptions = {
    runId: config.runId,
    rounds: config.rounds,
    seed: config.seed,
    initialParameters: model.parameters.get(),
    training: config.training,
    minPlants: config.minPlants,
    plantsPerRound: config.plantsPerRound,
    evaluateEvery: config.evaluateEvery,
    featureScaling: config.featureScaling,
    timeouts: config.timeouts,
    straggler: config.straggler,
    store: new SqliteRoundStore(store, { runConfig: config }),
    onEvent: options.onEvent,
    signal: options.signal,
    ...(config.secureAggregation.enabled ? secureAggregationCoordinator(config.secureAggregation, dp && { updateCodec: dp.updateCodec, minimumPlants: config.differentialPrivacy?.kind === 'distributed' ? config.differentialPrivacy.minimumPlants : undefined }) : {}),
  };
  async function* rounds(): AsyncGenerator<RoundResult, void, undefined> {
    try {
      // A classifier's strategy needs its class weights, 'balanced' ones from the plants' counts (a resumed run keeps its own).
      const spec = config.model;
      if (spec.kind === 'classifier') {
        const resumed = store.lastCheckpoint(config.runId) !== undefined;
        const { classWeights, counts } = resumed ? {} : await classWeightsForRun(grid as Grid, spec.classWeights, {
          runId: config.runId, classes: spec.classes, minPlants: config.minPlants, waitForPlantsMs: config.timeouts.waitForPlantsMs,
          timeoutMs: config.timeouts.evaluateMs, signal: options.signal, summation: classCountSummation(config),
        });
        if (counts !== undefined) options.log?.({ level: 'info', message: `class counts [${counts.join(', ')}] → class weights [${classWeights!.map((w) => w.toPrecision(3)).join(', ')}]` });
        strategy = classifierStrategy(strategy, { classes: spec.classes, classWeights });
        if (options.signal?.aborted) return;
      }
      yield* runFederation(grid as Grid, strategy, federationOptions);
      store.setRunStatus(config.runId, 'completed');
    } catch (e) {
      // A spent privacy budget ends the run as planned (the last checkpoint stands); the error reports it.
      store.setRunStatus(config.runId, isCrucibleError(e, 'BUDGET_EXHAUSTED') ? 'completed' : 'failed');
      throw e;
    }
  }
  async function* drift(watch: CoordinatorDriftConfig): AsyncGenerator<DriftWatchEvent, void, undefined> {
    // The deployed model: the newest checkpoint among the run and its retrainings (after a restart too).
    const retrainings = store.runs().filter((r) => r.id.startsWith(`${config.runId}.retrain-`)).length;
    const rounds = federationOptions.store;
    const latest = rounds.loadLatest(retrainings === 0 ? config.runId : `${config.runId}.retrain-${retrainings}`) ?? rounds.loadLatest(config.runId);
    if (latest === undefined) return;
    const retrain = async function* (runId: string, initialParameters: Float64Array): AsyncGenerator<RoundResult, void, undefined> {
      store.createRun({ id: runId, config });
      yield* runFederation(grid as Grid, strategy, { ...federationOptions, runId, rounds: watch.retrainRounds, initialParameters, initialScaling: latest.scaling });
      store.setRunStatus(runId, options.signal?.aborted ? 'running' : 'completed');
    };
    yield* watchForDrift(grid as Grid, { parameters: latest.parameters, scaling: latest.scaling }, retrain, {
      runId: config.runId, policy: { minDriftingPlants: watch.minDriftingPlants, minDriftingFraction: watch.minDriftingFraction },
      checkEveryMs: watch.checkEveryMs, maxRetrainings: watch.maxRetrainings, maxChecks: watch.maxChecks, firstRetraining: retrainings + 1,
      timeoutMs: config.timeouts.evaluateMs, signal: options.signal,
    });
  }
  let closed = false;
  return {
    grid,
    store,
    port: grid.port,
    rounds: rounds(),
    ...(config.drift === undefined ? {} : { drift: drift(config.drift) }),
    async close() {
      if (closed) return;
      closed = true;
      await grid.close();
      store.close();
    },
  };
}
