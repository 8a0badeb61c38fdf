/**
 * Seeded pseudo-random numbers for everything in Crucible that draws at random (initialisation,
 * batching, simulators, splits). Not for cryptography: masks and keys use `node:crypto`.
 *
 * xoshiro128** (Blackman & Vigna 2018) seeded through splitmix32, so a small integer seed gives a
 * well-mixed state; a float64 in [0, 1) is built from 53 random bits.
 *
 * @example
 * const rng = new Rng(42);
 * rng.uniform(); rng.normal(); rng.permutation(10);
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
    let x = Math.floor(seed) >>> 0;
    const next = (): number => {
      // splitmix32
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits; `uniform(lo, hi)` scales to [lo, hi). */
  uniform(lo = 0, hi = 1): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    const u = (a * 67108864 + b) / 9007199254740992;
    return lo + (hi - lo) * u;
  }

  /** Standard normal (Box–Muller, the pair's second value kept for the next call), scaled. */
  normal(mean = 0, stdDev = 1): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return mean + stdDev * z;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return mean + stdDev * r * Math.cos(2 * Math.PI * v);
  }

  /** An integer uniformly drawn from [0, n). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`Rng.int: n must be a positive integer, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** A random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** Fills `out` with N(mean, stdDev²) draws and returns it. */
  fillNormal(out: Float64Array, mean = 0, stdDev = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, stdDev);
    return out;
  }

  /** Fills `out` with U[lo, hi) draws and returns it. */
  fillUniform(out: Float64Array, lo = 0, hi = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(lo, hi);
    return out;
  }

  /**
   * An independent generator derived from this one's seed stream and a label, so that adding a
   * draw in one component does not shift the numbers of another (e.g. `rng.fork('plant-2')`).
   */
  fork(label: string | number): Rng {
    let h = 2166136261;
    const s = String(label);
    for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
    return new Rng((this.nextUint32() ^ h) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
