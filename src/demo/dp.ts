/**
 * The demo's differentially private variant: plant-level DP-FedAvg (McMahan et al., ICLR 2018) around FedAdam —
 * each round's plant updates clipped to L2 norm C and Gaussian noise of std z·C added to their sum —
 * trained IN MEMORY (the same round loop and plant pipeline as the network run, without sockets),
 * with the ε spent after every round from the RDP accountant (Mironov 2017) at the chosen δ.
 * The unit protected is a plant's whole data set, so with three plants the noise is large next to
 * the signal: this variant shows the price of that guarantee, not a tuned result.
 *
 * @example
 * const dp = await federatedWithDp(prepared, { rounds: 200, localSteps: 10, localLearningRate: 0.01, serverLearningRate: 0.02, noiseMultiplier: 1, clipNorm: 0.1, delta: 1e-5, seed: 1, network, batchSize: 32 });
 * dp.epsilon;
 */
import type { ActivationName } from '../nn/activation.js';
import type { ProcessModel } from '../nn/process-model.js';
import { fedAdam } from '../federation/strategies/index.js';
import { dpFedAvg } from '../privacy/dp/dpFedAvg.js';
import { RdpAccountant } from '../privacy/dp/accountant.js';
import { compareTraining } from '../study/compare.js';
import { Rng } from '../tensor/rng.js';
import type { PreparedPlants } from './plants.js';

export interface DpOptions {
  rounds: number;
  /** SGD steps per round and their learning rate. */
  localSteps: number;
  localLearningRate: number;
  /** FedAdam server learning rate (the strategy DP wraps). */
  serverLearningRate: number;
  /** Noise multiplier z (noise std / clip norm). */
  noiseMultiplier: number;
  /** Clip norm C of each plant's update (L2, in standardised parameter units). */
  clipNorm: number;
  delta: number;
  seed: number;
  network: { hidden: number[]; activation: ActivationName };
  batchSize: number;
  onRound?: (round: number) => void;
}

export interface DpOutcome {
  model: ProcessModel;
  epsilon: number;
  delta: number;
  noiseMultiplier: number;
  clipNorm: number;
  rounds: number;
  /** ε spent after each round. */
  ledger: { round: number; epsilon: number }[];
}

/**
 * The noise multiplier z at which `rounds` rounds of the Gaussian mechanism (every plant every round)
 * spend exactly `epsilon` at `delta`, by bisection on the accountant (ε falls as z grows).
 *
 * @example
 * noiseMultiplierFor(8, 1e-5, 200); // ≈ 8.9
 */
export function noiseMultiplierFor(epsilon: number, delta: number, rounds: number): number {
  if (!(epsilon > 0) || !(delta > 0 && delta < 1) || !(rounds >= 1)) throw new RangeError(`noiseMultiplierFor: need ε > 0, 0 < δ < 1, rounds ≥ 1; got ${epsilon}, ${delta}, ${rounds}`);
  const spent = (z: number): number => new RdpAccountant().compose({ noiseMultiplier: z, samplingRate: 1, steps: rounds }).epsilon(delta);
  let low = 0.05;
  let high = 1000;
  if (spent(high) > epsilon) throw new RangeError(`noiseMultiplierFor: ε = ${epsilon} is out of reach in ${rounds} rounds`);
  for (let i = 0; i < 60; i++) {
    const mid = Math.sqrt(low * high);
    if (spent(mid) > epsilon) low = mid;
    else high = mid;
  }
  return high;
}

/** Trains the DP-FedAvg model in memory and accounts its ε. */
export async function federatedWithDp(prepared: PreparedPlants, options: DpOptions): Promise<DpOutcome> {
  const rng = new Rng(options.seed).fork('dp-noise');
  const strategy = dpFedAvg(fedAdam({ serverLearningRate: options.serverLearningRate }), {
    noiseMultiplier: options.noiseMultiplier,
    clipping: { kind: 'fixed', clipNorm: options.clipNorm },
    // A seeded source: this is a simulation whose numbers must reproduce (deployments use the OS CSPRNG).
    noise: () => rng,
  });
  const result = await compareTraining(
    prepared.plants.map((p) => p.data),
    {
      inputNames: prepared.inputNames,
      outputNames: prepared.outputNames,
      network: options.network,
      methods: ['federated'],
      seed: options.seed,
      federated: { rounds: options.rounds, localEpochs: 1, maxSteps: options.localSteps, optimizer: 'sgd', strategy, learningRate: options.localLearningRate, batchSize: options.batchSize },
      onRound: (r) => options.onRound?.(r.round),
    },
  );
  const accountant = new RdpAccountant();
  const ledger: DpOutcome['ledger'] = [];
  for (let round = 1; round <= options.rounds; round++) {
    accountant.compose({ noiseMultiplier: options.noiseMultiplier, samplingRate: 1, steps: 1 });
    ledger.push({ round, epsilon: accountant.epsilon(options.delta) });
  }
  return {
    model: result.federated!,
    epsilon: ledger[ledger.length - 1]?.epsilon ?? 0,
    delta: options.delta,
    noiseMultiplier: options.noiseMultiplier,
    clipNorm: options.clipNorm,
    rounds: options.rounds,
    ledger,
  };
}
