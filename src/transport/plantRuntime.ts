/**
 * A plant as one call: read its token, credentials and data (a CSV with its schema, or synthetic
 * rows from a seed), build its pipeline with `createPlant`, and keep it connected to the coordinator
 * with `connectPlant`. `crucible plant` is this plus printing. Data never leaves this process: only
 * the replies the pipeline produces (updates, evaluation sums, feature sums) do.
 *
 * @example
 * const plant = await startPlant(config, { configPath: 'plant.yaml', onEvent: console.log });
 * await plant.connection.closed;
 */
import { readFileSync } from 'node:fs';
import { buildFeatures } from '../data/features.js';
import { readPlantCsv } from '../data/read-csv.js';
import { readPlantSchema } from '../data/schema.js';
import { CrucibleError } from '../errors.js';
import { createPlant, type PlantData, type PlantHandler, type PlantMiddleware, type PlantOptions } from '../federation/plant.js';
import { modelDriftHandlers } from '../drift/model-watch.js';
import { reloadingPlant } from '../drift/reloading-plant.js';
import type { Model } from '../nn/mlp.js';
import { classifierPlantOptions } from '../classify/plant.js';
import { linearPlants } from '../federation/synthetic.js';
import { buildModel, plantMiddlewareFor } from '../hybrid/model-spec.js';
import { dpFromTask } from '../privacy/dp/dpFromTask.js';
import { secureAggregationPlant } from '../privacy/secagg/plantMiddleware.js';
import { Tensor } from '../tensor/tensor.js';
import { perCoordinateStatistics } from './secureAggregation.js';
import { readTlsPems, relativeTo, type PlantConfig, type PlantDataConfig } from './config.js';
import { connectPlant, type ClientSecurity, type PlantConnection, type PlantConnectionEvent } from './plantConnection.js';

export interface StartPlantOptions {
  /** Path of the config file: relative paths in it are resolved against its folder. */
  configPath?: string;
  /** Replaces `data` with this CSV and schema (the CLI's --data/--schema). */
  data?: { file: string; schema: string };
  /**
   * Extra privacy middleware (e.g. DP clipping/noise), outermost first. It runs inside secure
   * aggregation (which every plant answers) and outside the model's own middleware.
   */
  middleware?: readonly PlantMiddleware[];
  /** Extra task handlers by kind (e.g. secure-aggregation stages). */
  handlers?: Parameters<typeof createPlant>[0]['handlers'];
  onEvent?: (event: PlantConnectionEvent) => void;
  signal?: AbortSignal;
}

export interface RunningPlant {
  readonly plantId: string;
  readonly numTrainExamples: number;
  readonly connection: PlantConnection;
}

/** Loads a plant's rows as model inputs x and targets y. */
export async function loadPlantData(config: PlantDataConfig, resolvePath: (p: string) => string = (p) => p): Promise<PlantData> {
  if (config.kind === 'synthetic') {
    const { kind, seed, ...spec } = config;
    return linearPlants([spec], { seed })[0];
  }
  const schema = await readPlantSchema(resolvePath(config.schema));
  const dataset = await readPlantCsv(resolvePath(config.file), schema);
  const table = buildFeatures(dataset);
  return {
    x: new Tensor(table.rows, table.names.length, table.x),
    y: new Tensor(table.rows, table.targets.length, table.y),
  };
}

/** The `drift` and `drift-reset` handlers of a plant whose config has a `drift` section (none otherwise). */
function driftHandlers(config: PlantConfig, plant: { plantId: string; reference: Tensor; model: () => Model; file: (p: string) => string }): Record<string, PlantHandler> {
  const drift = config.drift;
  if (drift === undefined) return {};
  return modelDriftHandlers({
    plantId: plant.plantId, model: plant.model, reference: plant.reference, incoming: () => loadPlantData(drift.incoming, plant.file),
    residual: drift.detector, output: drift.output, windowSize: drift.windowSize, featureAlpha: drift.featureAlpha,
  });
}

export async function startPlant(config: PlantConfig, options: StartPlantOptions = {}): Promise<RunningPlant> {
  const file = (p: string): string => (options.configPath === undefined ? p : relativeTo(options.configPath, p));
  const source = options.configPath ?? '(plant config)';
  let token: string;
  try {
    token = readFileSync(file(config.token), 'utf8').trim();
  } catch (e) {
    throw new CrucibleError('CONFIG_INVALID', `${source}: cannot read the token file '${config.token}': ${(e as Error).message}`, { file: source, key: 'token' });
  }
  const plantId = token.split('.')[0] ?? '';
  if (options.data === undefined && config.data === undefined) {
    throw new CrucibleError('CONFIG_INVALID', `${source}: no data: give data: { kind: csv, file, schema } in the config or --data and --schema`, { file: source, key: 'data' });
  }
  const load = (): Promise<PlantData> => loadPlantData(options.data === undefined ? config.data! : { kind: 'csv', ...options.data }, options.data === undefined ? file : (p) => p);
  const data = await load();
  // buildModel checks the model against the data's shape and names both on a mismatch.
  const shape = { inputSize: data.x.cols, outputSize: data.y.cols };
  let model;
  try {
    model = buildModel(config.model, shape);
  } catch (e) {
    throw new CrucibleError('CONFIG_INVALID', `${source}: ${(e as Error).message}`, { file: source, key: 'model' });
  }
  const plantOptions: PlantOptions = {
    plantId,
    data,
    validationFraction: config.validationFraction,
    splitSeed: config.splitSeed,
    model: () => buildModel(config.model, shape),
    // Secure aggregation outermost, so it masks the update as every other middleware left it; the
    // model's own (a hybrid model's plant-local parameters) innermost. Every plant answers SecAgg
    // rounds; `secureAggregation.required` also refuses updates requested in the clear.
    middleware: [
      secureAggregationPlant({ requireSecureAggregation: config.secureAggregation.required, channelKeySessions: config.secureAggregation.channelKeySessions, protectedKinds: ['fit', 'statistics', 'class-counts'] }),
      perCoordinateStatistics(),
      // Clips (and, for distributed DP, noises) the update when the round's task asks for it.
      dpFromTask(),
      ...(options.middleware ?? []),
      ...plantMiddlewareFor(model),
    ],
    handlers: { ...options.handlers, ...driftHandlers(config, { plantId, reference: data.x, model: () => buildModel(config.model, shape), file }) },
  };
  // A classifier plant checks its labels, splits stratified by class and answers evaluations with confusion counts.
  const build = (rows: PlantData) => createPlant(config.model.kind === 'classifier' ? classifierPlantOptions({ ...plantOptions, data: rows }, { classes: config.model.classes }) : { ...plantOptions, data: rows });
  const plant = build(data);
  // With drift monitoring, a new run (a retraining) trains on the plant's data as it is then.
  const handle = config.drift?.reloadDataPerRun ? reloadingPlant(plant, async () => build(await load())) : plant.handle;
  const security: ClientSecurity =
    config.tls === 'insecure'
      ? { kind: 'insecure' }
      : {
          kind: 'tls',
          ...readTlsPems(config.tls, file),
          serverName: config.tls.serverName,
        };
  const connection = connectPlant(handle, {
    address: config.coordinator,
    token,
    security,
    mode: config.mode,
    initialBackoffMs: config.reconnect.initialMs,
    maxBackoffMs: config.reconnect.maxMs,
    signal: options.signal,
    onEvent: options.onEvent,
  });
  return { plantId, numTrainExamples: plant.numTrainExamples, connection };
}
