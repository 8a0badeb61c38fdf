/**
 * SCAFFOLD (Karimireddy et al., "SCAFFOLD: Stochastic Controlled Averaging for Federated Learning",
 * ICML 2020): plants correct every local SGD step by c − cᵢ, the difference between the server's
 * and their own control variate (estimates of the global and local gradient), which removes the
 * "client drift" FedAvg suffers when plants' data differ and they take many local steps.
 *
 * Server side (Alg. 1): x ← x + η_g·mean(Δyᵢ) (sample-weighted here, as FedAvg), and
 * c ← c + (1/N)·ΣΔcᵢ over the plants of the round, N = the plants that have ever taken part.
 * Plants keep cᵢ (option II update, see plant.ts); the server tells each plant which of its cᵢ to
 * build on (`controlRound`: the last round whose result from it was aggregated), so a plant whose
 * result was dropped, or a round re-sent after a coordinator restart, stays consistent.
 * State: `arrays.control` = c; `json.lastAccepted` = plant → round. Local training must use SGD.
 *
 * @example
 * runFederation(grid, scaffold(), { ...options, training: { ...training, optimizer: 'sgd' } });
 */
import { applyUpdate, defineStrategy, weightedMeanUpdate } from './define.js';
import type { Json, Strategy } from '../strategy.js';

export interface ScaffoldOptions {
  /** Global step size η_g. Default 1. */
  readonly serverLearningRate?: number;
}

/** SCAFFOLD with server and plant control variates. */
export function scaffold(options: ScaffoldOptions = {}): Strategy {
  const eta = options.serverLearningRate ?? 1;
  return defineStrategy({
    name: 'scaffold',
    initialState: (parameters) => ({ arrays: { control: new Float64Array(parameters.length) }, json: { lastAccepted: {} } }),
    configureFit: ({ state }) => {
      const lastAccepted = state.json.lastAccepted as Record<string, number>;
      return {
        config: { scaffold: true },
        arrays: { serverControl: state.arrays.control },
        configFor: (plantId) => ({ controlRound: lastAccepted[plantId] ?? 0 }),
      };
    },
    aggregateFit: ({ round, parameters, state, results }) => {
      const lastAccepted: Record<string, number> = { ...(state.json.lastAccepted as Record<string, number>) };
      for (const r of results) lastAccepted[r.plantId] = round;
      const n = Object.keys(lastAccepted).length;
      const control = state.arrays.control.slice();
      for (const r of results) {
        const dc = r.arrays.controlDelta!;
        for (let i = 0; i < control.length; i++) control[i] += dc[i] / n;
      }
      return {
        parameters: applyUpdate(parameters, weightedMeanUpdate(results), eta),
        state: { arrays: { control }, json: { lastAccepted: lastAccepted as Json } },
      };
    },
  });
}
