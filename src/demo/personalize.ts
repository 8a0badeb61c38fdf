/**
 * Personalization after federation ("FedAvg + fine-tuning", e.g. Wang et al., "Federated Evaluation
 * of On-device Personalization", 2019): each plant starts from the federated model and trains a few
 * epochs on its OWN training rows, keeping the global scaling. Nothing leaves the plant; the plant
 * deploys the result. Reported beside, never instead of, the plain federated model.
 *
 * @example
 * const mine = fineTune(federated, plant.data.train, { epochs: 3, learningRate: 0.001, seed: 7 });
 */
import { Adam } from '../nn/adam.js';
import { fit } from '../nn/fit.js';
import { Mlp } from '../nn/mlp.js';
import { ProcessModel } from '../nn/process-model.js';
import { Tensor } from '../tensor/tensor.js';

export interface FineTuneOptions {
  epochs: number;
  learningRate: number;
  batchSize?: number;
  seed: number;
}

/** A copy of `model` fine-tuned on `train` (physical units). */
export function fineTune(model: ProcessModel, train: { x: Tensor; y: Tensor }, options: FineTuneOptions): ProcessModel {
  const net = new Mlp({ ...model.network.spec, widths: [...model.network.spec.widths] });
  net.parameters.set(model.network.parameters.get());
  const tuned = new ProcessModel(net, { inputNames: model.inputNames, outputNames: model.outputNames, scaling: model.scaling, provenance: { ...model.provenance, fineTunedEpochs: options.epochs } });
  const s = model.scaling;
  const ys = new Tensor(train.y.rows, train.y.cols);
  for (let i = 0; i < ys.data.length; i++) {
    const j = i % train.y.cols;
    ys.data[i] = (train.y.data[i] - s.targetMean[j]) / s.targetStd[j];
  }
  fit(net, tuned.scaleInputs(train.x).detach(), ys, {
    epochs: options.epochs,
    batchSize: options.batchSize ?? 32,
    seed: options.seed,
    optimizer: new Adam(net.parameters, { lr: options.learningRate }),
  });
  return tuned;
}

