/**
 * The SecAgg+ communication graph (Bell et al., CCS 2020, §3): instead of every plant sharing keys
 * and masks with every other plant (SecAgg, O(n²) work), each plant has k neighbours on a Harary
 * graph H(k, n) laid over a random permutation of the plants — a k-regular ring lattice where node i
 * links to the k/2 nodes on either side. With k = O(log n) the masks still hide each plant and the
 * shares survive dropouts with high probability, at O(n log n) total cost.
 *
 * k ≥ n − 1 gives the complete graph, i.e. the original SecAgg (Bonawitz et al., CCS 2017).
 *
 * @example
 * const graph = harary(['a', 'b', 'c', 'd', 'e', 'f'], 2, seed);
 * graph.get('a') // the two plants 'a' shares masks and key shares with
 */
import { expandMask } from './prg.js';

/**
 * Default neighbour count for n plants: the even number nearest 3·log2(n), capped at n − 1 (complete
 * graph). Bell et al. choose k = O(log n) with the constant set by the tolerated dropout and
 * corruption rates; 3·log2 n keeps each neighbourhood comfortably above a majority threshold at
 * ~20 % dropouts for the plant counts Crucible targets (tens to hundreds).
 */
export function defaultDegree(plants: number): number {
  if (plants <= 1) return 0;
  const k = 2 * Math.ceil((3 * Math.log2(plants)) / 2);
  return Math.min(plants - 1, k);
}

/** Default Shamir threshold for a neighbourhood of `degree` neighbours plus the plant itself: a strict majority. */
export function defaultThreshold(degree: number): number {
  return Math.floor((degree + 1) / 2) + 1;
}

/**
 * Neighbours of each plant on H(k, n) over a permutation drawn from `seed` (32 bytes, public, chosen
 * by the coordinator each round). Everyone computes the same graph from the same roster and seed.
 */
export function harary(plants: readonly string[], degree: number, seed: Uint8Array): Map<string, Set<string>> {
  const n = plants.length;
  if (!Number.isInteger(degree) || degree < 0) throw new RangeError(`harary: degree must be a non-negative integer, got ${degree}`);
  const graph = new Map<string, Set<string>>(plants.map((p) => [p, new Set<string>()]));
  if (degree >= n - 1) {
    for (const p of plants) for (const q of plants) if (p !== q) graph.get(p)!.add(q);
    return graph;
  }
  // Fisher–Yates over the sorted roster with AES-CTR words, so the graph does not depend on arrival order.
  const order = [...plants].sort();
  const words = expandMask(seed, n);
  for (let i = n - 1; i > 0; i--) {
    const j = words[i] % (i + 1); // modulo bias < n/2^32, irrelevant for a public permutation
    [order[i], order[j]] = [order[j], order[i]];
  }
  const half = Math.floor(degree / 2);
  const link = (a: string, b: string) => {
    graph.get(a)!.add(b);
    graph.get(b)!.add(a);
  };
  for (let i = 0; i < n; i++) {
    for (let d = 1; d <= half; d++) link(order[i], order[(i + d) % n]);
    // Odd k (Harary's construction): also link each node to its opposite.
    if (degree % 2 === 1) link(order[i], order[(i + Math.floor(n / 2)) % n]);
  }
  return graph;
}
