import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { seededEntropy } from './entropy.js';
import { deriveKey, generateKeyPair, open, publicKeyOf, seal } from './keys.js';
import { hkdfSync } from 'node:crypto';

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

// RFC 7748 §6.1: Alice's and Bob's X25519 keys and their shared secret.
const alice = { secret: hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'), public: hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a') };
const bob = { secret: hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'), public: hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f') };
const shared = hex('4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742');

test('public keys of raw secret keys match RFC 7748', () => {
  assert.deepEqual(publicKeyOf(alice.secret), alice.public);
  assert.deepEqual(publicKeyOf(bob.secret), bob.public);
});

test('the derived key is HKDF-SHA256 of the RFC 7748 shared secret, the same from both sides', () => {
  const ab = deriveKey(alice.secret, bob.public, 'pairwise-mask', 'r1');
  assert.deepEqual(ab, deriveKey(bob.secret, alice.public, 'pairwise-mask', 'r1'));
  assert.deepEqual(ab, new Uint8Array(hkdfSync('sha256', shared, Buffer.from('crucible/secagg/v1'), 'pairwise-mask|r1', 32)));
  assert.notDeepEqual(ab, deriveKey(alice.secret, bob.public, 'pairwise-mask', 'r2'));
  assert.notDeepEqual(ab, deriveKey(alice.secret, bob.public, 'share-encryption', 'r1'));
});

test('sealed shares open only with the same key and associated data', () => {
  const entropy = seededEntropy('keys-test');
  const a = generateKeyPair(entropy);
  const b = generateKeyPair(entropy);
  const key = deriveKey(a.secretKey, b.publicKey, 'share-encryption', 'r1');
  const sealed = seal(key, new Uint8Array([1, 2, 3]), 'from a to b', entropy);
  assert.deepEqual(open(deriveKey(b.secretKey, a.publicKey, 'share-encryption', 'r1'), sealed, 'from a to b'), new Uint8Array([1, 2, 3]));
  assert.throws(() => open(key, sealed, 'from a to c'), (e) => isCrucibleError(e, 'SECAGG_TAMPERED'));
});
