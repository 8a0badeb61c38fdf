/**
 * Where SecAgg's secrets come from. In deployment: the operating system's CSPRNG
 * (`crypto.randomBytes`). In tests and reproducible simulations: `seededEntropy`, an AES-256-CTR
 * keystream keyed by SHA-256 of a label — cryptographically strong output, but anyone who knows the
 * label knows every key, so it must never be used between real plants.
 *
 * @example
 * const entropy = seededEntropy('test-round-1');
 * entropy(32) // the same 32 bytes on every run
 */
import { createCipheriv, createHash, randomBytes } from 'node:crypto';

/** A source of `bytes` random bytes. */
export type Entropy = (bytes: number) => Uint8Array;

/** The operating system's CSPRNG. */
export const systemEntropy: Entropy = (bytes) => new Uint8Array(randomBytes(bytes));

/** A deterministic, cryptographically strong stream for tests and simulation only (see file comment). */
export function seededEntropy(label: string | number): Entropy {
  const key = createHash('sha256').update(`crucible/seeded-entropy/${String(label)}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
  return (bytes) => new Uint8Array(cipher.update(Buffer.alloc(bytes)));
}
