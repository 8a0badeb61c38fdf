/**
 * The plant side of drift detection: a `DriftMonitor` watches the model's residuals on incoming
 * data (Page–Hinkley or ADWIN on |residual|) and each input feature's recent window against the
 * training data (two-sample KS tests, Bonferroni-corrected over features). It reports to the
 * coordinator only a flag and scores — never rows — as an ordinary reply to a `drift` task, so any
 * grid (in-memory, gRPC) carries it unchanged:
 *
 *   task  { kind: 'drift', runId, round, config: {}, arrays: {} }
 *   reply { ok: true, kind: 'drift', numExamples: samples seen since the last reset,
 *           metrics: { drift: 0|1, score, residualDrift: 0|1, residualScore, featureDrift: 0|1,
 *                      minFeaturePValue, driftedAtSample }, arrays: { featurePValues } }
 *
 * A `drift-reset` task (sent after a retraining run has deployed a new model) clears the detectors.
 * A residual alarm is latched until reset: the plant keeps reporting drift until something is done.
 *
 * @example
 * const monitor = new DriftMonitor({ reference: trainX, residual: { kind: 'page-hinkley', delta: 0.005, lambda: 0.5 } });
 * createPlant({ plantId, data, model, handlers: monitor.handlers('plant-a') });
 * monitor.observe(row, prediction - measurement);   // for each new sample
 */
import type { PlantReply, TaskMessage } from '../federation/messages.js';
import type { PlantHandler } from '../federation/plant.js';
import type { Tensor } from '../tensor/tensor.js';
import { Adwin, PageHinkley, type AdwinOptions, type PageHinkleyOptions } from './detectors.js';
import { ksTwoSample } from './ks-test.js';

/** Which detector watches the residuals. */
export type ResidualDetectorSpec = ({ readonly kind: 'page-hinkley' } & PageHinkleyOptions) | ({ readonly kind: 'adwin' } & AdwinOptions);

export interface DriftMonitorOptions {
  /** Training inputs [n, d]: the reference distribution of each feature. */
  readonly reference: Tensor;
  readonly residual: ResidualDetectorSpec;
  /** Recent samples per feature window. Default 200. */
  readonly windowSize?: number;
  /** Family-wise significance of the feature tests (Bonferroni over features). Default 0.01. */
  readonly featureAlpha?: number;
}

/** What a plant reports: flags and scores only. */
export interface DriftStatus {
  readonly drift: boolean;
  /** max(residual score, feature score): ≥ 1 means an alarm. */
  readonly score: number;
  readonly residualDrift: boolean;
  readonly residualScore: number;
  readonly featureDrift: boolean;
  /** −log10(min p-value)/−log10(α/d): ≥ 1 means a feature test rejected. */
  readonly featureScore: number;
  readonly featurePValues: Float64Array;
  /** Samples observed since the last reset. */
  readonly samples: number;
  /** Sample (since reset) at which the residual detector first fired; −1 if it has not. */
  readonly driftedAtSample: number;
}

export class DriftMonitor {
  private readonly reference: Float64Array[];
  private readonly windowSize: number;
  private readonly alpha: number;
  private detector!: PageHinkley | Adwin;
  private windows: number[][] = [];
  private samples = 0;
  private residualScore = 0;
  private driftedAt = -1;

  constructor(private readonly options: DriftMonitorOptions) {
    const { reference } = options;
    if (reference.rows < 10) throw new RangeError(`DriftMonitor: the reference needs at least 10 rows, got ${reference.rows}`);
    this.reference = Array.from({ length: reference.cols }, (_, j) => Float64Array.from({ length: reference.rows }, (_, i) => reference.get(i, j)));
    this.windowSize = options.windowSize ?? 200;
    this.alpha = options.featureAlpha ?? 0.01;
    if (!(this.alpha > 0 && this.alpha < 1)) throw new RangeError(`DriftMonitor: featureAlpha must be in (0, 1), got ${this.alpha}`);
    this.reset();
  }

  /** Takes one new sample: its input row and the model's residual (prediction − measurement). */
  observe(row: ArrayLike<number>, residual: number): void {
    if (row.length !== this.reference.length) throw new RangeError(`DriftMonitor.observe: row has ${row.length} features, the reference has ${this.reference.length}`);
    this.samples++;
    const state = this.detector.update(Math.abs(residual));
    if (state.drift && this.driftedAt < 0) this.driftedAt = this.samples;
    // Before an alarm the score follows the detector; after it the largest score is kept, since
    // Page–Hinkley restarts after an alarm and ADWIN's drops once it has cut its window.
    this.residualScore = this.driftedAt >= 0 ? Math.max(this.residualScore, state.score) : state.score;
    for (let j = 0; j < row.length; j++) {
      const w = this.windows[j];
      w.push(row[j]);
      if (w.length > this.windowSize) w.shift();
    }
  }

  /** The current flags and scores. Feature tests run once the window is full. */
  status(): DriftStatus {
    const d = this.reference.length;
    const featurePValues = new Float64Array(d).fill(1);
    if (this.windows[0].length >= this.windowSize) {
      for (let j = 0; j < d; j++) featurePValues[j] = ksTwoSample(this.reference[j], this.windows[j]).pValue;
    }
    const minP = Math.min(...featurePValues);
    const threshold = this.alpha / d;
    const featureScore = minP >= 1 ? 0 : Math.log10(minP) / Math.log10(threshold);
    const residualDrift = this.driftedAt >= 0;
    const residualScore = residualDrift ? Math.max(1, this.residualScore) : this.residualScore;
    const featureDrift = minP < threshold;
    return {
      drift: residualDrift || featureDrift, score: Math.max(residualScore, featureScore),
      residualDrift, residualScore, featureDrift, featureScore, featurePValues,
      samples: this.samples, driftedAtSample: this.driftedAt,
    };
  }

  /** Clears detectors and windows (after a new model is deployed). */
  reset(): void {
    this.detector = this.options.residual.kind === 'adwin' ? new Adwin(this.options.residual) : new PageHinkley(this.options.residual);
    this.windows = this.reference.map(() => []);
    this.samples = 0;
    this.residualScore = 0;
    this.driftedAt = -1;
  }

  /** Plant handlers for the `drift` and `drift-reset` task kinds (pass to `createPlant({ handlers })`). */
  handlers(plantId: string): Record<string, PlantHandler> {
    return {
      drift: async (task) => driftReply(task, plantId, this.status()),
      'drift-reset': async (task) => {
        this.reset();
        return { ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId, numExamples: 0, metrics: {}, arrays: {} };
      },
    };
  }
}

/** The reply carrying a plant's drift status (flags and scores only). */
export function driftReply(task: Pick<TaskMessage, 'kind' | 'runId' | 'round'>, plantId: string, s: DriftStatus): PlantReply {
  return {
    ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId,
    numExamples: s.samples,
    metrics: {
      drift: s.drift ? 1 : 0, score: s.score,
      residualDrift: s.residualDrift ? 1 : 0, residualScore: s.residualScore,
      featureDrift: s.featureDrift ? 1 : 0, featureScore: s.featureScore,
      minFeaturePValue: Math.min(...s.featurePValues), driftedAtSample: s.driftedAtSample,
    },
    arrays: { featurePValues: s.featurePValues },
  };
}
