/**
 * The masks of SecAgg (Bonawitz et al., CCS 2017, §3): plant u sends
 *
 *   y_u = x_u + PRG(b_u) + Σ_{v ∈ N(u), v after u} PRG(s_uv) − Σ_{v ∈ N(u), v before u} PRG(s_uv)  (mod 2^32)
 *
 * where b_u is a fresh self-mask seed and s_uv the agreed pairwise seed. Pairwise masks cancel in the
 * sum over survivors; the coordinator removes the rest with reconstructed secrets. The self mask is
 * what keeps a plant hidden when the coordinator (wrongly) thinks it dropped: revealing the dropped
 * plant's pairwise key then still leaves PRG(b_u) on its input.
 *
 * @example
 * const seed = pairwiseSeed(mySecretKey, peerPublicKey, 'round-1');
 * applyMasks(words, [{ seed: selfSeed, sign: 1 }, pairwiseMask(seed, myIndex, peerIndex)]);
 */
import { createHash } from 'node:crypto';
import { deriveKey } from './keys.js';
import type { SignedSeed } from './prg.js';
import { SHARE_BYTES, type ShamirShare } from './shamir.js';
import { CrucibleError } from '../../errors.js';

/** The pairwise mask seed s_uv (symmetric in u and v). */
export function pairwiseSeed(maskingSecretKey: Uint8Array, peerMaskingKey: Uint8Array, round: string): Uint8Array {
  return deriveKey(maskingSecretKey, peerMaskingKey, 'pairwise-mask', round);
}

/**
 * The pairwise mask between `self` and `peer` as `self` applies it, with the sign convention above:
 * added when `self` comes before `peer` in the roster, subtracted otherwise. `direction` −1 gives
 * the mask that undoes what `self` applied.
 */
export function pairwiseMask(seed: Uint8Array, selfIndex: number, peerIndex: number, direction: 1 | -1 = 1): SignedSeed {
  return { seed, sign: selfIndex < peerIndex ? direction : ((-direction) as 1 | -1) };
}

/** A binding commitment to a self-mask seed (SHA-256 over round, plant and seed). */
export function commitSeed(seed: Uint8Array, plant: string, round: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(`crucible/secagg/seed|${round}|${plant}|`).update(seed).digest());
}

/** The associated data that binds a sealed share to its round, sender and recipient. */
export function shareAad(round: string, from: string, to: string): string {
  return `crucible/secagg/share|${round}|${from}|${to}`;
}

/** What a sealed share carries: the recipient's x and both shares (key, then seed). */
export function packSharePair(x: number, keyShare: ShamirShare, seedShare: ShamirShare): Uint8Array {
  const out = new Uint8Array(4 + 2 * SHARE_BYTES);
  new DataView(out.buffer).setUint32(0, x);
  out.set(keyShare.y, 4);
  out.set(seedShare.y, 4 + SHARE_BYTES);
  return out;
}

export function unpackSharePair(bytes: Uint8Array, where: string): { keyShare: ShamirShare; seedShare: ShamirShare } {
  if (bytes.length !== 4 + 2 * SHARE_BYTES) {
    throw new CrucibleError('SECAGG_TAMPERED', `share pair ${where} has ${bytes.length} bytes, expected ${4 + 2 * SHARE_BYTES}`);
  }
  const x = new DataView(bytes.buffer, bytes.byteOffset).getUint32(0);
  return {
    keyShare: { x, y: bytes.slice(4, 4 + SHARE_BYTES) },
    seedShare: { x, y: bytes.slice(4 + SHARE_BYTES) },
  };
}
