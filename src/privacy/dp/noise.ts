/**
 * Randomness for differential privacy. DP noise must be unpredictable to whoever sees the output:
 * noise from a generator whose seed can be guessed can be subtracted again. `CryptoUniform` draws
 * from the OS CSPRNG (buffered, so per-coordinate noise for 100k-parameter models stays cheap).
 * Tests and reproducible simulations may pass a seeded `Rng` instead — never in deployment.
 *
 * @example
 * const source = new CryptoUniform();
 * gaussian(source) // one N(0, 1) draw
 */
import { randomBytes } from 'node:crypto';

/** A source of uniform draws in [0, 1) (`Rng` and `CryptoUniform` both are). */
export interface UniformSource {
  uniform(): number;
}

/** U[0, 1) with 53 random bits from the OS CSPRNG. */
export class CryptoUniform implements UniformSource {
  private buffer = new Uint32Array(0);
  private next = 0;

  uniform(): number {
    if (this.next + 2 > this.buffer.length) {
      const bytes = randomBytes(1 << 16);
      this.buffer = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      this.next = 0;
    }
    const a = this.buffer[this.next++] >>> 5;
    const b = this.buffer[this.next++] >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/** One standard normal draw (Box–Muller). */
export function gaussian(source: UniformSource): number {
  let u = 0;
  while (u === 0) u = source.uniform();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * source.uniform());
}

/** Adds N(0, stdDev²) to every element of `values`, in place. */
export function addGaussianNoise(values: Float64Array, stdDev: number, source: UniformSource): void {
  if (!(stdDev >= 0)) throw new RangeError(`addGaussianNoise: stdDev must be ≥ 0, got ${stdDev}`);
  for (let i = 0; i < values.length; i++) values[i] += stdDev * gaussian(source);
}
