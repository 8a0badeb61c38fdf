/**
 * Plant bearer credentials: `<plantId>.<secret>` with a 256-bit random secret. The coordinator keeps
 * only SHA-256(secret) (a fast hash is enough for a uniformly random 256-bit secret: there is nothing
 * to brute-force) and compares in constant time. The plant id in the token only selects the registry
 * row; the identity is proven by the secret (and, with TLS, by the client certificate's CN).
 *
 * @example
 * const { token, tokenHash } = issuePlantToken('plant-a');
 * store.plants.enroll('plant-a', { tokenHash });
 * registryAuthenticator(store.plants).authenticate({ authorization: `Bearer ${token}` }); // 'plant-a'
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { CrucibleError } from '../errors.js';
import type { PlantRegistry } from '../store/plantRegistry.js';
import { plantIdPattern } from '../store/plantRegistry.js';

/** What the transport knows about a call: its authorization header and, under mTLS, the peer certificate. */
export interface CallCredentials {
  authorization: string | undefined;
  /** CN of the verified client certificate (mTLS), if any. */
  peerCommonName?: string;
  /** Hex SHA-256 of the verified client certificate (DER), if any. */
  peerFingerprint?: string;
}

/** Decides who is calling; throws PLANT_UNAUTHENTICATED / PLANT_REVOKED / PLANT_IDENTITY_MISMATCH. */
export interface PlantAuthenticator {
  authenticate(call: CallCredentials): string;
}

/** Issues a fresh token for `plantId` and the hash the coordinator stores. */
export function issuePlantToken(plantId: string): { token: string; tokenHash: string } {
  if (!plantIdPattern.test(plantId)) throw new RangeError(`issuePlantToken: invalid plant id '${plantId}'`);
  const secret = randomBytes(32).toString('base64url');
  return { token: `${plantId}.${secret}`, tokenHash: hashSecret(secret) };
}

/** Hex SHA-256 of a token's secret part. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Splits `Bearer <plantId>.<secret>`; undefined when the header is absent or not of that form. */
export function parseBearer(header: string | undefined): { plantId: string; secret: string } | undefined {
  const m = /^Bearer ([A-Za-z0-9][A-Za-z0-9_-]{0,63})\.([A-Za-z0-9_-]{20,128})$/.exec(header ?? '');
  return m === null ? undefined : { plantId: m[1], secret: m[2] };
}

/**
 * Authenticates against the store's plant registry: the token's secret must hash to the stored
 * hash, the plant must not be revoked, and under mTLS the certificate's CN must be the same plant
 * (and, when recorded at enrollment, its fingerprint must match).
 */
export function registryAuthenticator(registry: PlantRegistry, options: { requireClientCertificate?: boolean } = {}): PlantAuthenticator {
  return {
    authenticate(call) {
      const bearer = parseBearer(call.authorization);
      if (bearer === undefined) {
        throw new CrucibleError('PLANT_UNAUTHENTICATED', 'no valid bearer token in the authorization metadata (expected "Bearer <plantId>.<secret>")');
      }
      const record = registry.get(bearer.plantId);
      const presented = Buffer.from(hashSecret(bearer.secret), 'hex');
      const stored = Buffer.from(record?.tokenHash ?? '0'.repeat(64), 'hex');
      if (record === undefined || !timingSafeEqual(presented, stored)) {
        throw new CrucibleError('PLANT_UNAUTHENTICATED', `unknown plant or wrong secret for '${bearer.plantId}'`, { plantId: bearer.plantId });
      }
      if (record.revokedAt !== null) {
        throw new CrucibleError('PLANT_REVOKED', `plant '${record.id}' was revoked at ${record.revokedAt}`, { plantId: record.id });
      }
      if (options.requireClientCertificate === true && call.peerCommonName === undefined) {
        throw new CrucibleError('PLANT_UNAUTHENTICATED', `plant '${record.id}' presented no client certificate`, { plantId: record.id });
      }
      if (call.peerCommonName !== undefined && call.peerCommonName !== record.id) {
        throw new CrucibleError('PLANT_IDENTITY_MISMATCH', `token of '${record.id}' used with the certificate of '${call.peerCommonName}'`, { plantId: record.id });
      }
      if (call.peerFingerprint !== undefined && record.certFingerprint !== null && call.peerFingerprint !== record.certFingerprint) {
        throw new CrucibleError('PLANT_IDENTITY_MISMATCH', `plant '${record.id}' presented a certificate other than the one it was enrolled with`, { plantId: record.id });
      }
      return record.id;
    },
  };
}
