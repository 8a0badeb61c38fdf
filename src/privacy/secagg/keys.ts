/**
 * The public-key pieces of SecAgg (Bonawitz et al., CCS 2017, §4): X25519 key pairs, Diffie–Hellman
 * agreement, HKDF-SHA256 to turn a shared point into a purpose-bound 32-byte key, and AES-256-GCM
 * for the shares two plants exchange through the coordinator.
 *
 * Each plant holds two key pairs per round: one for the channel that carries shares (c), one whose
 * agreement seeds the pairwise masks (s). Keeping them apart means revealing a dropped plant's
 * s-secret (to remove its masks) does not open its share channel.
 *
 * @example
 * const a = generateKeyPair(systemEntropy), b = generateKeyPair(systemEntropy);
 * deriveKey(a.secretKey, b.publicKey, 'mask', 'round-3') // equals deriveKey(b.secretKey, a.publicKey, 'mask', 'round-3')
 */
import { type KeyObject, createCipheriv, createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import { CrucibleError } from '../../errors.js';
import type { Entropy } from './entropy.js';

/** Raw 32-byte X25519 keys. */
export interface KeyPair {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
}

// DER prefix of X25519 private keys (RFC 8410), the fallback import of raw 32-byte keys.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
// The JWK schema requires `x` on a private key, but Node builds the key from `d` alone and derives
// the public key from it (checked against RFC 7748's vectors in keys.test.ts), so any 32 bytes do.
const PLACEHOLDER_X = Buffer.alloc(32).toString('base64url');

// Importing a raw key into a KeyObject costs more than the agreement itself; a plant agrees with
// every neighbour using the same few keys, so imports are memoised per key buffer.
const privateObjects = new WeakMap<Uint8Array, KeyObject>();
const publicObjects = new WeakMap<Uint8Array, KeyObject>();

function privateKeyObject(secretKey: Uint8Array): KeyObject {
  let key = privateObjects.get(secretKey);
  if (key === undefined) {
    const d = Buffer.from(secretKey.buffer, secretKey.byteOffset, secretKey.byteLength);
    try {
      // JWK import is ~10× faster than PKCS#8 DER in Node 20 (about 30 µs against 350 µs).
      key = createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: d.toString('base64url'), x: PLACEHOLDER_X }, format: 'jwk' });
    } catch {
      key = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, d]), format: 'der', type: 'pkcs8' });
    }
    privateObjects.set(secretKey, key);
  }
  return key;
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  let key = publicObjects.get(publicKey);
  if (key === undefined) {
    // JWK import is ~40× faster than DER in Node 20, and a plant imports every neighbour's two keys.
    key = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(publicKey).toString('base64url') }, format: 'jwk' });
    publicObjects.set(publicKey, key);
  }
  return key;
}

/** An X25519 key pair whose secret key is 32 bytes from `entropy` (clamped by X25519 itself). */
export function generateKeyPair(entropy: Entropy): KeyPair {
  const secretKey = entropy(32);
  return { secretKey, publicKey: publicKeyOf(secretKey) };
}

/** The public key belonging to a raw secret key. */
export function publicKeyOf(secretKey: Uint8Array): Uint8Array {
  const jwk = createPublicKey(privateKeyObject(secretKey)).export({ format: 'jwk' });
  return new Uint8Array(Buffer.from(String(jwk.x), 'base64url'));
}

/** The raw X25519 agreement of `secretKey` with `peerPublicKey`; SECAGG_TAMPERED for an invalid public key (`what` names the use). */
export function agree(secretKey: Uint8Array, peerPublicKey: Uint8Array, what: string): Uint8Array {
  try {
    return diffieHellman({ privateKey: privateKeyObject(secretKey), publicKey: publicKeyObject(peerPublicKey) });
  } catch (e) {
    throw new CrucibleError('SECAGG_TAMPERED', `X25519 agreement failed for ${what}: invalid public key (${(e as Error).message})`);
  }
}

const HKDF_SALT = Buffer.from('crucible/secagg/v1');
const ONE = Buffer.from([1]);

/**
 * HKDF-SHA256 (RFC 5869) of a shared point into a 32-byte key bound to a purpose and a round:
 * PRK = HMAC(salt, shared), key = HMAC(PRK, info ‖ 0x01), the one block of T(1). Written as the two
 * HMACs because Node 20's hkdfSync costs ~28 µs a call against ~17 µs for these, and a plant
 * derives two keys per neighbour per round (keys.test.ts checks it against hkdfSync).
 */
export function expandShared(shared: Uint8Array, purpose: string, round: string): Uint8Array {
  const prk = createHmac('sha256', HKDF_SALT).update(shared).digest();
  return new Uint8Array(createHmac('sha256', prk).update(`${purpose}|${round}`).update(ONE).digest());
}

/**
 * HKDF-SHA256 of the X25519 agreement between `secretKey` and `peerPublicKey`, bound to a purpose and
 * a round, so a key made for one use in one round is useless for anything else. Symmetric in the pair.
 */
export function deriveKey(secretKey: Uint8Array, peerPublicKey: Uint8Array, purpose: string, round: string): Uint8Array {
  return expandShared(agree(secretKey, peerPublicKey, `${purpose} in round ${round}`), purpose, round);
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM: nonce ‖ ciphertext ‖ tag, authenticated together with `associatedData`. */
export function seal(key: Uint8Array, plaintext: Uint8Array, associatedData: string, entropy: Entropy): Uint8Array {
  const nonce = entropy(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(associatedData));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return new Uint8Array(Buffer.concat([nonce, body, cipher.getAuthTag()]));
}

/** Opens a `seal`ed message; a changed byte, key or associated data raises SECAGG_TAMPERED. */
export function open(key: Uint8Array, sealed: Uint8Array, associatedData: string): Uint8Array {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new CrucibleError('SECAGG_TAMPERED', `sealed share for ${associatedData} is ${sealed.length} bytes, shorter than nonce and tag`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
  decipher.setAAD(Buffer.from(associatedData));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  try {
    return new Uint8Array(Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]));
  } catch {
    throw new CrucibleError('SECAGG_TAMPERED', `share ciphertext for ${associatedData} failed authentication`);
  }
}
