/**
 * Runs one SecAgg(+) round in memory: the plant and coordinator state machines, messages passed by
 * reference, dropouts injected per stage. Simulation, tests and benchmarks use this; the network path
 * drives the same state machines through `wire.ts`.
 *
 * @example
 * const { sum } = runSecAggRound(new Map([['a', wordsA], ['b', wordsB], ['c', wordsC]]), { round: 'r1', variant: 'secagg' });
 */
import { CrucibleError } from '../../errors.js';
import type { ChannelKeys } from './channel.js';
import { SecAggCoordinator, type SecAggCoordinatorOptions, type SecAggResult } from './coordinator.js';
import { type Entropy, systemEntropy } from './entropy.js';
import type { SecAggStage } from './messages.js';
import { SecAggPlant } from './plant.js';

export interface SecAggRoundOptions extends SecAggCoordinatorOptions {
  /** Plants that go silent at (and after) each stage. */
  dropouts?: Partial<Record<SecAggStage, readonly string[]>>;
  /** Entropy per plant (tests pass seeded sources). Default: the OS CSPRNG for all. */
  plantEntropy?: (plant: string) => Entropy;
  /** Share-channel keys per plant, e.g. kept across rounds (channel.ts). Default: fresh per round. */
  channel?: (plant: string) => ChannelKeys;
}

/** Runs the round over the given quantized inputs and returns the coordinator's result. */
export function runSecAggRound(inputs: ReadonlyMap<string, Uint32Array>, options: SecAggRoundOptions): SecAggResult {
  const coordinator = new SecAggCoordinator({ cohortSize: inputs.size, ...options });
  const plants = new Map([...inputs.keys()].map((id) => [id, new SecAggPlant(id, { entropy: options.plantEntropy?.(id) ?? systemEntropy, channel: options.channel?.(id) })]));
  const gone = new Set<string>();
  const live = (stage: SecAggStage) => {
    for (const p of options.dropouts?.[stage] ?? []) gone.add(p);
    return [...plants.values()].filter((p) => !gone.has(p.plant));
  };

  for (const p of live('advertise-keys')) coordinator.receiveKeys(p.advertiseKeys(options.round));
  const roster = coordinator.closeAdvertising();
  const inRoster = new Set(roster.plants.map((p) => p.plant));

  for (const p of live('share-keys')) if (inRoster.has(p.plant)) coordinator.receiveShares(p.shareKeys(roster));
  const deliveries = coordinator.closeSharing();

  for (const p of live('masked-input')) {
    const delivery = deliveries.get(p.plant);
    if (delivery !== undefined) coordinator.receiveMasked(p.maskedInput(delivery, inputs.get(p.plant)!));
  }
  const request = coordinator.closeMasking();

  for (const p of live('unmasking')) {
    if (!request.survivors.includes(p.plant)) continue;
    coordinator.receiveUnmask(p.unmask(request));
  }
  return coordinator.finish();
}

/** The plain sum mod 2^32 of the given plants' words: the reference a secure sum must equal. */
export function plainSum(inputs: ReadonlyMap<string, Uint32Array>, plants: Iterable<string>): Uint32Array {
  let sum: Uint32Array | null = null;
  for (const p of plants) {
    const words = inputs.get(p);
    if (words === undefined) throw new CrucibleError('UPDATE_REJECTED', `plainSum: no input for plant ${p}`);
    if (sum === null) sum = new Uint32Array(words.length);
    for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] + words[i]) >>> 0;
  }
  return sum ?? new Uint32Array(0);
}
