/**
 * Personalization: each plant evaluates the global model after k local fine-tuning steps on its own
 * training split — the model it would actually deploy — rather than the global model as is. When
 * plants differ, a shared model plus a few local steps fits each plant better than either alone
 * (cf. Per-FedAvg, Fallah et al., NeurIPS 2020; Flower's "evaluate after fine-tuning"). Training
 * and aggregation are the wrapped strategy's.
 *
 * @example
 * runFederation(grid, personalized(fedAvg(), { fineTuneSteps: 20, learningRate: 0.05 }), options);
 */
import type { Strategy } from '../strategy.js';

export interface PersonalizedOptions {
  /** k: local SGD steps before evaluating. */
  readonly fineTuneSteps: number;
  readonly learningRate: number;
  /** Default 32. */
  readonly batchSize?: number;
}

/** `inner` with evaluation after local fine-tuning. */
export function personalized(inner: Strategy, options: PersonalizedOptions): Strategy {
  if (!Number.isInteger(options.fineTuneSteps) || options.fineTuneSteps < 1) {
    throw new RangeError(`personalized: fineTuneSteps must be a positive integer, got ${options.fineTuneSteps}`);
  }
  if (!(options.learningRate > 0)) throw new RangeError(`personalized: learningRate must be > 0, got ${options.learningRate}`);
  return {
    ...inner,
    name: `${inner.name}+personalized`,
    configureEvaluate: (round) => ({
      ...inner.configureEvaluate(round),
      fineTuneSteps: options.fineTuneSteps,
      fineTuneLearningRate: options.learningRate,
      batchSize: options.batchSize ?? 32,
    }),
  };
}
