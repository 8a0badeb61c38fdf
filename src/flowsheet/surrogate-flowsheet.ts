/**
 * A flowsheet whose units are all surrogates: the unit MLPs wired as the plant is, with the scales of
 * its tear and product streams (from training data) for residuals and losses.
 *
 * @example
 * const sf = SurrogateFlowsheet.train(flowsheet, trainData, { hidden: [16], epochs: 200 });
 * const problem = sf.evaluator.tearProblem(testData.inputs, { scale: sf.tearScale.std.data });
 */
import type { Parameters } from '../nn/parameters.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Flowsheet } from './flowsheet.js';
import { SequentialModular } from './sequential.js';
import { type Standardization, type SurrogateOptions, type SurrogateTrainOptions, UnitSurrogate, standardization } from './surrogate.js';

/** What surrogate training needs from a plant's data. */
export interface SurrogateTrainingData {
  readonly units: Readonly<Record<string, { inputs: Tensor; outputs: Tensor; outletCount: number }>>;
  readonly tears: Tensor;
  readonly products: Readonly<Record<string, Tensor>>;
}

export class SurrogateFlowsheet {
  readonly flowsheet: Flowsheet;
  readonly surrogates: Readonly<Record<string, UnitSurrogate>>;
  readonly evaluator: SequentialModular;
  readonly tearScale: Standardization;
  readonly productScale: Readonly<Record<string, Standardization>>;

  constructor(flowsheet: Flowsheet, surrogates: Record<string, UnitSurrogate>, scales: { tear: Standardization; products: Record<string, Standardization> }) {
    this.flowsheet = flowsheet;
    this.surrogates = surrogates;
    this.evaluator = new SequentialModular(flowsheet, Object.fromEntries(Object.entries(surrogates).map(([k, s]) => [k, s.model])));
    this.tearScale = scales.tear;
    this.productScale = scales.products;
  }

  /** Untrained surrogates sized and scaled for `data` (one per unit, seeds offset per unit). */
  static create(flowsheet: Flowsheet, data: SurrogateTrainingData, options: SurrogateOptions = {}): SurrogateFlowsheet {
    const surrogates: Record<string, UnitSurrogate> = {};
    flowsheet.units.forEach((u, i) => {
      const table = data.units[u.name];
      if (table === undefined) throw new RangeError(`SurrogateFlowsheet: no data for unit '${u.name}'`);
      surrogates[u.name] = UnitSurrogate.create(u.name, table, { ...options, seed: (options.seed ?? 0) + i });
    });
    const products = Object.fromEntries(Object.entries(data.products).map(([k, t]) => [k, standardization(t)]));
    return new SurrogateFlowsheet(flowsheet, surrogates, { tear: standardization(data.tears), products });
  }

  /** Creates the surrogates and trains each on its own unit table (locally). */
  static train(flowsheet: Flowsheet, data: SurrogateTrainingData, options: SurrogateOptions & SurrogateTrainOptions = {}): SurrogateFlowsheet {
    const sf = SurrogateFlowsheet.create(flowsheet, data, options);
    for (const [name, s] of Object.entries(sf.surrogates)) s.train(data.units[name], options);
    return sf;
  }

  /** Every unit model's parameter vector, in unit order. */
  parameters(): Parameters[] {
    return this.flowsheet.units.map((u) => this.surrogates[u.name].mlp.parameters);
  }

  /** A copy of all unit weights (restore with `load`). */
  snapshot(): Float64Array[] {
    return this.parameters().map((p) => p.get());
  }

  load(weights: readonly Float64Array[]): void {
    this.parameters().forEach((p, i) => p.set(weights[i]));
  }

  /** Initial tear guesses for `cases`: the training-mean tear streams (a case-independent cold start). */
  meanGuess(cases: number): Float64Array {
    const n = this.evaluator.tearSize;
    const x0 = new Float64Array(cases * n);
    for (let c = 0; c < cases; c++) x0.set(this.tearScale.mean.data, c * n);
    return x0;
  }
}
