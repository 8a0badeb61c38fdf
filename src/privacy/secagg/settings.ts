/**
 * Checks on round settings that both sides run: the coordinator before it publishes a roster, each
 * plant before it shares its secrets. A plant that accepted a too-low threshold would let a small
 * coalition reconstruct its secrets, so it refuses with SECAGG_UNSAFE_PARAMETERS instead.
 *
 * @example
 * checkSettings(roster.settings, roster.plants.length) // throws on unsafe settings
 */
import { CrucibleError } from '../../errors.js';
import type { SecAggSettings } from './messages.js';

export function checkSettings(settings: SecAggSettings, rosterSize: number): void {
  const { threshold, degree, minimumPlants, round, graphSeed } = settings;
  const unsafe = (why: string) => {
    throw new CrucibleError('SECAGG_UNSAFE_PARAMETERS', `secure aggregation round ${round}: ${why}`, { round, threshold, degree, rosterSize });
  };
  if (graphSeed.length !== 32) throw new RangeError(`SecAgg round ${round}: graphSeed must be 32 bytes, got ${graphSeed.length}`);
  if (!Number.isInteger(degree) || degree < 1 || degree > rosterSize - 1) unsafe(`degree ${degree} must be in [1, ${rosterSize - 1}] for ${rosterSize} plants`);
  const holders = degree + 1;
  // A majority threshold: no two disjoint groups of holders can both reconstruct, so revealing one
  // secret per plant to one group cannot be combined with the other (Bonawitz et al., §4, t > n/2).
  if (!Number.isInteger(threshold) || threshold <= holders / 2 || threshold > holders) {
    unsafe(`threshold ${threshold} must be a strict majority of the ${holders} share holders per neighbourhood, i.e. in (${holders / 2}, ${holders}]`);
  }
  if (!Number.isInteger(minimumPlants) || minimumPlants < 2) unsafe(`minimumPlants ${minimumPlants} must be at least 2: a sum of one plant is that plant's update`);
}
