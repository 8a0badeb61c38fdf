/**
 * The plants a coordinator knows: each with the SHA-256 hash of its bearer secret (never the secret),
 * the fingerprint of its client certificate, and whether it was revoked. The transport's
 * authenticator reads it on every call, so a revocation takes effect at the plant's next call.
 *
 * @example
 * store.plants.enroll('plant-a', { tokenHash, certFingerprint });
 * store.plants.revoke('plant-a');
 * store.plants.get('plant-a')?.revokedAt; // '2026-…'
 */
import type Database from 'better-sqlite3';

export interface PlantRecord {
  id: string;
  /** Hex SHA-256 of the plant's bearer secret. */
  tokenHash: string;
  /** Hex SHA-256 of the plant's client certificate (DER), when one was issued. */
  certFingerprint: string | null;
  enrolledAt: string;
  revokedAt: string | null;
  lastSeenAt: string | null;
}

/** Plant ids appear in certificates, logs and file names: keep them to a safe alphabet. */
export const plantIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export class PlantRegistry {
  constructor(private readonly db: Database.Database) {}

  /** Adds a plant, or replaces an existing plant's credential (and lifts a revocation). */
  enroll(plantId: string, credential: { tokenHash: string; certFingerprint?: string | null }): PlantRecord {
    if (!plantIdPattern.test(plantId)) {
      throw new RangeError(`enroll: plant id '${plantId}' must match ${plantIdPattern} (letters, digits, '_' and '-', at most 64)`);
    }
    if (!/^[0-9a-f]{64}$/.test(credential.tokenHash)) throw new RangeError('enroll: tokenHash must be a hex SHA-256 digest');
    this.db
      .prepare(
        `INSERT INTO plants (id, token_hash, cert_fingerprint, enrolled_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET token_hash = excluded.token_hash, cert_fingerprint = excluded.cert_fingerprint,
           enrolled_at = excluded.enrolled_at, revoked_at = NULL`,
      )
      .run(plantId, credential.tokenHash, credential.certFingerprint ?? null, new Date().toISOString());
    return this.get(plantId) as PlantRecord;
  }

  /** Revokes a plant; returns false when no such plant is enrolled. */
  revoke(plantId: string): boolean {
    const info = this.db.prepare('UPDATE plants SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(new Date().toISOString(), plantId);
    return info.changes > 0 || this.get(plantId) !== undefined;
  }

  get(plantId: string): PlantRecord | undefined {
    const r = this.db.prepare('SELECT * FROM plants WHERE id = ?').get(plantId) as Record<string, string | null> | undefined;
    return r === undefined ? undefined : toRecord(r);
  }

  /** All enrolled plants, by id. */
  list(): PlantRecord[] {
    return (this.db.prepare('SELECT * FROM plants ORDER BY id').all() as Record<string, string | null>[]).map(toRecord);
  }

  /** Records that the plant made an authenticated call now. */
  touch(plantId: string, at = new Date()): void {
    this.db.prepare('UPDATE plants SET last_seen_at = ? WHERE id = ?').run(at.toISOString(), plantId);
  }
}

function toRecord(r: Record<string, string | null>): PlantRecord {
  return {
    id: r.id as string,
    tokenHash: r.token_hash as string,
    certFingerprint: r.cert_fingerprint,
    enrolledAt: r.enrolled_at as string,
    revokedAt: r.revoked_at,
    lastSeenAt: r.last_seen_at,
  };
}
