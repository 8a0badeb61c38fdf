/**
 * An ensemble of process models as one surrogate: the members' mean is the prediction and their
 * spread the predictive standard deviation (deep ensembles, Lakshminarayanan et al., NeurIPS 2017;
 * for federated models, e.g. one model per bootstrap of the plants' data or per plant's
 * personalization). Both are differentiable, so chance constraints built on `sd(y)` have exact
 * gradients.
 *
 * @example
 * const surrogate = ensembleSurrogate([modelA, modelB, modelC]);
 * optimizeSetpoints(problem, surrogate); // constraints may use sd(xG) or a confidence
 */
import { add, mul, sqrt, square, sub } from '../tensor/ops/index.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ProcessSurrogate } from './surrogate.js';

/** Mean and standard deviation over `members` (at least two, with the same input and output names). */
export function ensembleSurrogate(members: readonly ProcessSurrogate[]): ProcessSurrogate {
  if (members.length < 2) throw new RangeError(`ensembleSurrogate: needs at least two members, got ${members.length}`);
  const [first] = members;
  members.forEach((m, i) => {
    const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((v, j) => v === b[j]);
    if (!same(m.inputNames, first.inputNames) || !same(m.outputNames, first.outputNames)) {
      throw new RangeError(`ensembleSurrogate: member ${i} has inputs [${m.inputNames}] and outputs [${m.outputNames}], member 0 [${first.inputNames}] and [${first.outputNames}]`);
    }
  });
  const k = members.length;
  const mean = (inputs: Tensor): { mean: Tensor; predictions: Tensor[] } => {
    const predictions = members.map((m) => m.predict(inputs));
    return { mean: mul(predictions.reduce((a, b) => add(a, b)), 1 / k), predictions };
  };
  return {
    inputNames: first.inputNames,
    outputNames: first.outputNames,
    predict: (inputs) => mean(inputs).mean,
    predictStd: (inputs) => {
      const { mean: mu, predictions } = mean(inputs);
      const variance = mul(predictions.map((p) => square(sub(p, mu))).reduce((a, b) => add(a, b)), 1 / (k - 1));
      // A floor far below any physical spread keeps sqrt differentiable where members agree exactly.
      return sqrt(add(variance, 1e-30));
    },
  };
}
