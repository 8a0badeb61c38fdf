/**
 * FedAvg (McMahan et al., "Communication-Efficient Learning of Deep Networks from Decentralized
 * Data", AISTATS 2017): the new global model is the old one plus the sample-weighted mean of the
 * plants' updates. FedProx (Li et al., "Federated Optimization in Heterogeneous Networks", MLSys
 * 2020) aggregates the same way but has plants add μ/2·‖w − w_global‖² to their local loss, which
 * keeps local models near the global one when plants' data differ.
 *
 * @example
 * runFederation(grid, fedAvg(), options);
 * runFederation(grid, fedProx({ proximalMu: 0.1 }), options);
 */
import { applyUpdate, defineStrategy, weightedMeanUpdate } from './define.js';
import { emptyState, type Strategy } from '../strategy.js';

export interface FedAvgOptions {
  /** Server step size on the mean update. Default 1 (plain averaging of local models). */
  readonly serverLearningRate?: number;
}

/** Sample-weighted federated averaging. */
export function fedAvg(options: FedAvgOptions = {}): Strategy {
  const eta = options.serverLearningRate ?? 1;
  return defineStrategy({
    name: 'fedAvg',
    aggregateFit: ({ parameters, results }) => ({ parameters: applyUpdate(parameters, weightedMeanUpdate(results), eta), state: emptyState }),
  });
}

export interface FedProxOptions extends FedAvgOptions {
  /** Proximal weight μ (≥ 0); 0 is FedAvg. */
  readonly proximalMu: number;
}

/** FedAvg with the proximal term applied in plants' local training. */
export function fedProx(options: FedProxOptions): Strategy {
  if (!(options.proximalMu >= 0)) throw new RangeError(`fedProx: proximalMu must be ≥ 0, got ${options.proximalMu}`);
  return { ...fedAvg(options), name: 'fedProx', configureFit: () => ({ config: { proximalMu: options.proximalMu } }) };
}
