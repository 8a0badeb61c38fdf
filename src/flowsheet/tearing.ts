/**
 * Recycle structure of a flowsheet graph: strongly connected components (Tarjan 1972), the elementary
 * cycles inside each (a depth-first enumeration in the spirit of Tarjan 1973), the choice of tear
 * streams, and the sequential-modular order once the tears are cut.
 *
 * Tear choice follows the criterion used by Pyomo's SequentialDecomposition: minimise the most times
 * any loop is torn (a loop torn twice needs nested convergence), then the number of tears. The search
 * is exact (subsets in order of size) for up to `exactLimit` candidate edges and greedy beyond.
 *
 * @example
 * const plan = planTears(3, [{ stream: 0, from: 0, to: 1 }, { stream: 1, from: 1, to: 2 }, { stream: 2, from: 2, to: 0 }]);
 * plan.tears;  // [0] — one stream breaks the one loop
 * plan.order;  // units in calculation order with the tears cut
 */
import { CrucibleError } from '../errors.js';

/** A directed edge between node indices, named by its stream index. */
export interface GraphEdge {
  readonly stream: number;
  readonly from: number;
  readonly to: number;
}

/**
 * Strongly connected components by Tarjan's algorithm (SIAM J. Comput. 1972), iterative so deep
 * graphs cannot overflow the stack. Components come out in reverse topological order.
 */
export function stronglyConnectedComponents(nodeCount: number, edges: readonly GraphEdge[]): number[][] {
  const adjacent: number[][] = Array.from({ length: nodeCount }, () => []);
  for (const e of edges) adjacent[e.from].push(e.to);
  const index = new Int32Array(nodeCount).fill(-1);
  const low = new Int32Array(nodeCount);
  const onStack = new Uint8Array(nodeCount);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < nodeCount; root++) {
    if (index[root] !== -1) continue;
    const work: Array<{ v: number; i: number }> = [{ v: root, i: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1];
      const { v } = top;
      if (top.i < adjacent[v].length) {
        const w = adjacent[v][top.i++];
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          work.push({ v: w, i: 0 });
        } else if (onStack[w]) {
          low[v] = Math.min(low[v], index[w]);
        }
        continue;
      }
      work.pop();
      if (work.length > 0) low[work[work.length - 1].v] = Math.min(low[work[work.length - 1].v], low[v]);
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}

/**
 * Elementary cycles of the subgraph on `nodes`, each as the list of edge (stream) indices it uses.
 * Parallel streams between the same units give distinct cycles. Each cycle is found once, from its
 * smallest node. Throws `CONFIG_INVALID` past `maxCycles` (a flowsheet that large needs a heuristic).
 */
export function elementaryCycles(nodes: readonly number[], edges: readonly GraphEdge[], maxCycles = 10_000): number[][] {
  const inside = new Set(nodes);
  const out = new Map<number, GraphEdge[]>();
  for (const e of edges) {
    if (!inside.has(e.from) || !inside.has(e.to)) continue;
    if (!out.has(e.from)) out.set(e.from, []);
    out.get(e.from)!.push(e);
  }
  const cycles: number[][] = [];
  const sorted = [...nodes].sort((a, b) => a - b);
  for (const start of sorted) {
    // Depth-first search for paths back to `start` through nodes larger than it.
    const path: number[] = [];
    const onPath = new Set<number>([start]);
    const work: Array<{ v: number; i: number }> = [{ v: start, i: 0 }];
    while (work.length > 0) {
      const top = work[work.length - 1];
      const next = out.get(top.v) ?? [];
      if (top.i >= next.length) {
        work.pop();
        onPath.delete(top.v);
        path.pop();
        continue;
      }
      const e = next[top.i++];
      if (e.to === start) {
        cycles.push([...path, e.stream]);
        if (cycles.length > maxCycles) {
          throw new CrucibleError('CONFIG_INVALID', `flowsheet: more than ${maxCycles} recycle loops; tear selection needs a smaller graph`, { maxCycles });
        }
      } else if (e.to > start && !onPath.has(e.to)) {
        onPath.add(e.to);
        path.push(e.stream);
        work.push({ v: e.to, i: 0 });
      }
    }
  }
  return cycles;
}

export interface TearPlan {
  /** Stream indices to tear, ascending. */
  readonly tears: number[];
  /** Node indices in calculation order with the tears cut. */
  readonly order: number[];
  /** Every elementary loop, as stream indices. */
  readonly loops: number[][];
  /** The most times any loop is torn (0 with no loops). */
  readonly maxTearsPerLoop: number;
  /** Strongly connected components with more than one node or a self-loop. */
  readonly recycleGroups: number[][];
}

export interface PlanTearsOptions {
  /** Up to this many candidate edges the tear search is exact. Default 20. */
  exactLimit?: number;
}

/** Chooses tear streams and the sequential-modular calculation order. */
export function planTears(nodeCount: number, edges: readonly GraphEdge[], options: PlanTearsOptions = {}): TearPlan {
  const exactLimit = options.exactLimit ?? 20;
  const components = stronglyConnectedComponents(nodeCount, edges);
  const recycleGroups = components.filter((c) => c.length > 1 || edges.some((e) => e.from === c[0] && e.to === c[0]));
  const loops: number[][] = [];
  const tears: number[] = [];
  let maxTearsPerLoop = 0;
  for (const group of recycleGroups) {
    const groupLoops = elementaryCycles(group, edges);
    loops.push(...groupLoops);
    const chosen = chooseTears(groupLoops, exactLimit);
    tears.push(...chosen);
    for (const loop of groupLoops) maxTearsPerLoop = Math.max(maxTearsPerLoop, loop.filter((s) => chosen.includes(s)).length);
  }
  tears.sort((a, b) => a - b);
  const order = topologicalOrder(nodeCount, edges.filter((e) => !tears.includes(e.stream)));
  return { tears, order, loops, maxTearsPerLoop, recycleGroups };
}

/**
 * Tear streams for `loops` (each a list of stream indices): minimises the most times any loop is
 * torn, then the number of tears; exact over subsets for up to `exactLimit` candidate streams,
 * greedy (most loops first) beyond.
 */
export function chooseTears(loops: readonly number[][], exactLimit = 20): number[] {
  if (loops.length === 0) return [];
  const candidates = [...new Set(loops.flat())].sort((a, b) => a - b);
  if (candidates.length > exactLimit) return greedyTears(loops);
  const masks = loops.map((loop) => loop.reduce((m, s) => m | (1 << candidates.indexOf(s)), 0));
  let best: { mask: number; max: number; count: number } | null = null;
  for (let mask = 1; mask < 1 << candidates.length; mask++) {
    let max = 0;
    let ok = true;
    for (const m of masks) {
      const torn = popcount(mask & m);
      if (torn === 0) {
        ok = false;
        break;
      }
      max = Math.max(max, torn);
    }
    if (!ok) continue;
    const count = popcount(mask);
    if (best === null || max < best.max || (max === best.max && count < best.count)) best = { mask, max, count };
  }
  return candidates.filter((_, i) => (best!.mask >> i) & 1);
}

/** Repeatedly tears the stream in the most untorn loops (ties: lowest index). */
function greedyTears(loops: readonly number[][]): number[] {
  const open = loops.map((l) => new Set(l));
  const tears: number[] = [];
  while (open.length > 0) {
    const count = new Map<number, number>();
    for (const l of open) for (const s of l) count.set(s, (count.get(s) ?? 0) + 1);
    const [stream] = [...count.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
    tears.push(stream);
    for (let i = open.length - 1; i >= 0; i--) if (open[i].has(stream)) open.splice(i, 1);
  }
  return tears;
}

function popcount(x: number): number {
  let n = 0;
  while (x !== 0) {
    x &= x - 1;
    n++;
  }
  return n;
}

/** Kahn's algorithm; ties broken by node index so the order is reproducible. */
function topologicalOrder(nodeCount: number, edges: readonly GraphEdge[]): number[] {
  const indegree = new Int32Array(nodeCount);
  for (const e of edges) indegree[e.to]++;
  const ready: number[] = [];
  for (let v = 0; v < nodeCount; v++) if (indegree[v] === 0) ready.push(v);
  const order: number[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => a - b);
    const v = ready.shift()!;
    order.push(v);
    for (const e of edges) if (e.from === v && --indegree[e.to] === 0) ready.push(e.to);
  }
  if (order.length !== nodeCount) {
    throw new CrucibleError('CONFIG_INVALID', 'flowsheet: a loop is left uncut after tearing (internal error in tear selection)', {});
  }
  return order;
}
