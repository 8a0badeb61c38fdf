/**
 * A classifier: a network whose outputs are logits — one for a binary task (the log-odds of class
 * 1), one per class otherwise — and which knows how it is trained: (class-weighted) cross-entropy
 * against class labels [n, 1]. `trainLocally` (federation/local-training.ts) asks the model for
 * its loss through `classifierTraining`, so the core plant's fit — FedProx, SCAFFOLD, `maxSteps`,
 * DP and secure aggregation included — trains classifiers like any model.
 *
 * @example
 * const clf = new Classifier(new Mlp({ widths: [5, 16, 3] }), 3);
 * const { loss, targets } = classifierTraining(clf, labels, { classWeights: [0.4, 8, 12] })!;
 * fit(clf, x, targets, { loss });
 */
import type { Loss } from '../nn/losses.js';
import type { Model } from '../nn/mlp.js';
import type { Parameters } from '../nn/parameters.js';
import type { Tensor } from '../tensor/tensor.js';
import { classificationLoss, oneHot } from './losses.js';

export class Classifier implements Model {
  /** `network` has 1 output for 2 classes, else `classes` outputs. */
  constructor(
    readonly network: Model,
    readonly classes: number,
  ) {
    if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`Classifier: classes must be an integer ≥ 2, got ${classes}`);
    const logits = classes === 2 ? 1 : classes;
    if (network.outputSize !== logits) throw new RangeError(`Classifier: ${classes} classes need ${logits} logit(s), the network has ${network.outputSize} outputs`);
  }

  get parameters(): Parameters {
    return this.network.parameters;
  }

  get inputSize(): number {
    return this.network.inputSize;
  }

  get outputSize(): number {
    return this.network.outputSize;
  }

  forward(x: Tensor): Tensor {
    return this.network.forward(x);
  }
}

/**
 * How to train `model` on `labels` [n, 1]: the cross-entropy loss and the targets it takes
 * (labels for one logit, one-hot rows otherwise); undefined when the model is not a classifier.
 * Labels outside [0, classes) are a RangeError naming the row.
 */
export function classifierTraining(model: Model, labels: Tensor, options: { classWeights?: readonly number[] } = {}): { loss: Loss; targets: Tensor } | undefined {
  if (!(model instanceof Classifier)) return undefined;
  if (labels.cols !== 1) throw new RangeError(`classifier training: targets must be class labels [n, 1], got [${labels.rows}, ${labels.cols}]`);
  const targets = model.outputSize === 1 ? labels : oneHot(labels.data, model.classes);
  if (model.outputSize === 1) oneHot(labels.data, 2); // checks every label is 0 or 1
  return { loss: classificationLoss({ outputs: model.outputSize, classWeights: options.classWeights }), targets };
}
