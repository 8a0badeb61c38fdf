/**
 * Real-data check of the time-series handling on the debutanizer column benchmark (Fortuna,
 * Graziani, Rizzo & Xibilia, "Soft Sensors for Monitoring and Control of Industrial Processes",
 * Springer 2007): 2394 consecutive samples of seven inputs u1..u7 and the butane content y, which
 * a gas chromatograph far downstream reports with a long delay. The series is cut by time into
 * three "plants" (consecutive operating periods); each is split by time into train, validation
 * (early stopping) and test blocks with gaps of the max lag. A model of y on the current inputs only (static) is compared
 * with the same model on lagged inputs, by R² on the held-out test blocks — per plant (each plant
 * trains on its own data) and pooled (one model on all plants' training blocks, scaled with the
 * global statistics aggregated from per-plant sums, as a federation would).
 *
 * @example
 * const result = await debutanizerExperiment({ path: bundledDebutanizerCsv() });
 * console.log(result.pooled.mlp.static, result.pooled.mlp.lagged);
 */
import { fileURLToPath } from 'node:url';
import { AdamW } from '../../nn/adam.js';
import { evaluate, fit, predict } from '../../nn/fit.js';
import { Mlp } from '../../nn/mlp.js';
import { matmul } from '../../tensor/ops/matmul.js';
import { solve } from '../../tensor/ops/solve.js';
import { Tensor } from '../../tensor/tensor.js';
import { type PlantDataset, sliceDataset } from '../dataset.js';
import type { FeatureTable } from '../features.js';
import { readPlantCsv } from '../read-csv.js';
import { featureSums, fitStandardizer, scalerFromSums, standardize } from '../scaler.js';
import { type FeatureSpec, type PlantSchema, plantSchema } from '../schema.js';
import { splitFeatures } from '../split.js';

/**
 * The copy of the dataset shipped in the package's `data/` folder (three levels up from this module,
 * in `src/` and in `dist/` alike).
 */
export function bundledDebutanizerCsv(): string {
  return fileURLToPath(new URL('../../../data/debutanizer.csv', import.meta.url));
}

/** The file's schema: no time column, one sample per step, everything pre-scaled to [0, 1]. */
export function debutanizerSchema(): PlantSchema {
  const unit = '1 (scaled)';
  return plantSchema(
    {
      description: 'Debutanizer column (Fortuna et al. 2007), values scaled to [0, 1] by the original authors',
      samplingInterval: 1,
      inputs: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'].map((name) => ({ name, unit, min: 0, max: 1 })),
      outputs: [{ name: 'y', unit, min: 0, max: 1 }],
    },
    'debutanizer schema',
  );
}

export interface DebutanizerOptions {
  /** Path to debutanizer.csv. */
  path: string;
  /** Consecutive periods the series is cut into. Default 3. */
  plants?: number;
  /** Lags (in samples) of every input in the lagged model. Default [0, 3, 6, …, 24]. */
  lags?: number[];
  /** Shares of each plant's rows for the train, validation (early stopping) and test blocks. Default 0.6, 0.1, 0.3. */
  shares?: { train: number; validation: number; test: number };
  /** Hidden layer widths of the MLP. Default [16]. */
  hidden?: number[];
  /** Training epochs (the best epoch on the validation block is kept). Default 100. */
  epochs?: number;
  /** AdamW learning rate. Default 1e-3. */
  learningRate?: number;
  /** AdamW decoupled weight decay. Default 0.5. */
  weightDecay?: number;
  /** Ridge penalty per training row of the linear baseline (on standardised features). Default 1. */
  ridge?: number;
  seed?: number;
}

/** R² of the static and the lagged model on held-out data. */
export interface ModelScores {
  readonly static: number;
  readonly lagged: number;
}

export interface BlockResult {
  readonly mlp: ModelScores;
  /** Linear least squares (ridge) on the same features: a baseline that needs no training loop. */
  readonly ridge: ModelScores;
  readonly trainRows: number;
  readonly testRows: number;
}

export interface DebutanizerResult {
  readonly plants: readonly BlockResult[];
  readonly pooled: BlockResult;
  readonly maxLag: number;
}

/**
 * Coefficient of determination 1 − SS_res / SS_tot of predictions against targets (single output).
 *
 * @example
 * rSquared([1, 2, 3], [1, 2, 3]) // 1
 */
export function rSquared(prediction: ArrayLike<number>, target: ArrayLike<number>): number {
  if (prediction.length !== target.length || target.length === 0) {
    throw new RangeError(`rSquared: ${prediction.length} predictions for ${target.length} targets`);
  }
  let mean = 0;
  for (let i = 0; i < target.length; i++) mean += target[i];
  mean /= target.length;
  let res = 0;
  let tot = 0;
  for (let i = 0; i < target.length; i++) {
    res += (target[i] - prediction[i]) ** 2;
    tot += (target[i] - mean) ** 2;
  }
  return 1 - res / tot;
}

interface Tables {
  train: FeatureTable;
  validation: FeatureTable;
  test: FeatureTable;
}

function stack(tables: readonly FeatureTable[]): { x: Tensor; y: Tensor } {
  const cols = tables[0].names.length;
  const rows = tables.reduce((n, t) => n + t.rows, 0);
  const x = new Tensor(rows, cols);
  const y = new Tensor(rows, 1);
  let r = 0;
  for (const t of tables) {
    x.data.set(t.x, r * cols);
    y.data.set(t.y, r);
    r += t.rows;
  }
  return { x, y };
}

function mlpScore(blocks: readonly Tables[], options: Required<Omit<DebutanizerOptions, 'path' | 'plants' | 'lags'>>): number {
  const train = stack(blocks.map((b) => b.train));
  const test = stack(blocks.map((b) => b.test));
  const validation = stack(blocks.map((b) => b.validation));
  const model = new Mlp({ widths: [train.x.cols, ...options.hidden, 1], activation: 'tanh', seed: options.seed });
  // Early stopping on the validation block (the block between train and test in time): keep the
  // parameters of the epoch with the lowest validation error.
  let best = { loss: Infinity, values: model.parameters.get() };
  fit(model, train.x, train.y, {
    epochs: options.epochs,
    batchSize: 32,
    optimizer: new AdamW(model.parameters, { lr: options.learningRate, weightDecay: options.weightDecay }),
    seed: options.seed,
    onEpoch: () => {
      const loss = evaluate(model, validation.x, validation.y);
      if (loss < best.loss) best = { loss, values: model.parameters.get() };
    },
  });
  model.parameters.set(best.values);
  return rSquared(predict(model, test.x).data, test.y.data);
}

function ridgeScore(blocks: readonly Tables[], lambda: number): number {
  const withBias = (x: Tensor): Tensor => {
    const out = new Tensor(x.rows, x.cols + 1);
    for (let i = 0; i < x.rows; i++) {
      out.data.set(x.data.subarray(i * x.cols, (i + 1) * x.cols), i * (x.cols + 1));
      out.data[i * (x.cols + 1) + x.cols] = 1;
    }
    return out;
  };
  const train = stack(blocks.map((b) => b.train));
  const test = stack(blocks.map((b) => b.test));
  const x = withBias(train.x);
  const gram = matmul(x, x, { transA: true });
  for (let j = 0; j < x.cols - 1; j++) gram.data[j * x.cols + j] += lambda * x.rows;
  const w = solve(gram, matmul(x, train.y, { transA: true }));
  return rSquared(matmul(withBias(test.x), w).data, test.y.data);
}

/** Runs the comparison; see the module comment. Deterministic for a given seed. */
export async function debutanizerExperiment(options: DebutanizerOptions): Promise<DebutanizerResult> {
  const all = await readPlantCsv(options.path, debutanizerSchema());
  const nPlants = options.plants ?? 3;
  const lags = options.lags ?? [0, 3, 6, 9, 12, 15, 18, 21, 24];
  const settings = {
    shares: options.shares ?? { train: 0.6, validation: 0.1, test: 0.3 },
    hidden: options.hidden ?? [16],
    epochs: options.epochs ?? 100,
    learningRate: options.learningRate ?? 1e-3,
    weightDecay: options.weightDecay ?? 0.5,
    ridge: options.ridge ?? 1,
    seed: options.seed ?? 1,
  };
  const staticSpec: FeatureSpec = { defaultLags: [0], lags: {}, differences: {} };
  const laggedSpec: FeatureSpec = { defaultLags: lags, lags: {}, differences: {} };
  const maxLag = Math.max(...lags);

  const size = Math.floor(all.length / nPlants);
  const plants: PlantDataset[] = [];
  for (let p = 0; p < nPlants; p++) plants.push(sliceDataset(all, { start: p * size, end: p === nPlants - 1 ? all.length : (p + 1) * size }));
  const trainRows = (ds: PlantDataset): { start: number; end: number } =>
    splitFeatures(ds, { spec: staticSpec, ...settings.shares, gap: maxLag }).split.train;

  // Both models see the same test targets: the same split (gap = the lagged model's max lag).
  const tables = (ds: PlantDataset, spec: FeatureSpec): Tables => {
    const s = splitFeatures(ds, { spec, ...settings.shares, gap: maxLag });
    return { train: s.train, validation: s.validation, test: s.test };
  };
  const score = (scaled: readonly PlantDataset[]): BlockResult => {
    const st = scaled.map((ds) => tables(ds, staticSpec));
    const lg = scaled.map((ds) => tables(ds, laggedSpec));
    return {
      mlp: { static: mlpScore(st, settings), lagged: mlpScore(lg, settings) },
      ridge: { static: ridgeScore(st, settings.ridge), lagged: ridgeScore(lg, settings.ridge) },
      trainRows: lg.reduce((n, t) => n + t.train.rows, 0),
      testRows: lg.reduce((n, t) => n + t.test.rows, 0),
    };
  };

  // Per plant: each standardised with its own training-block statistics.
  const perPlant = plants.map((ds) => score([standardize(ds, fitStandardizer(ds, { rows: trainRows(ds) }))]));
  // Pooled: global statistics from the sum of the plants' training-block sums.
  const global = scalerFromSums(plants.map((ds) => featureSums(ds, { rows: trainRows(ds) })));
  const pooled = score(plants.map((ds) => standardize(ds, global)));
  return { plants: perPlant, pooled, maxLag };
}
