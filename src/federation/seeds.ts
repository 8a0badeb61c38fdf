/**
 * Seeds of a round's randomness, derived from (run seed, round, label) by hashing — never drawn from
 * a generator that ran through earlier rounds — so that round r of a resumed run draws exactly what
 * round r of an uninterrupted run drew.
 *
 * @example
 * new Rng(roundSeed(42, 7, 'fit/plant-a')) // the same in every run with seed 42
 */

/** A 32-bit seed for `label` in `round` of a run seeded with `seed` (FNV-1a, then a murmur3 finaliser). */
export function roundSeed(seed: number, round: number, label: string): number {
  let h = 2166136261;
  const s = `${seed}\u0000${round}\u0000${label}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
