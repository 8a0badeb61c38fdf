/**
 * Issuing and revoking plant credentials (`crucible enroll`). The federation's PKI lives in one
 * folder next to the coordinator: the CA (created on first use), the coordinator's server
 * certificate, and nothing of the plants but their hashed tokens in the store. Each enrolment writes
 * the plant's files — CA certificate, client certificate and key (CN = plant id), bearer token — to an
 * output folder that is then carried to the plant; the private key and token are written 0600.
 *
 * @example
 * const issued = enrollPlant('plant-a', { storePath: 'crucible.db', pkiDir: 'pki', outDir: 'out/plant-a' });
 * revokePlant('plant-a', { storePath: 'crucible.db' });
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrucibleStore } from '../store/store.js';
import { issuePlantToken } from './credentials.js';
import { createCertificateAuthority, issueCertificate, type PemPair } from './pki.js';

export interface FederationPki {
  ca: PemPair;
  /** Paths of the CA certificate and the coordinator's certificate and key. */
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
}

/**
 * Loads the PKI in `pkiDir`, creating the CA and the coordinator's server certificate (valid for
 * `hosts`, default localhost and 127.0.0.1) when they do not exist yet.
 */
export function ensureFederationPki(pkiDir: string, options: { hosts?: readonly string[] } = {}): FederationPki {
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  const caCertPath = join(pkiDir, 'ca.pem');
  const caKeyPath = join(pkiDir, 'ca-key.pem');
  const serverCertPath = join(pkiDir, 'coordinator.pem');
  const serverKeyPath = join(pkiDir, 'coordinator-key.pem');
  let ca: PemPair;
  if (existsSync(caCertPath) && existsSync(caKeyPath)) {
    ca = { certPem: readFileSync(caCertPath, 'utf8'), keyPem: readFileSync(caKeyPath, 'utf8') };
  } else {
    ca = createCertificateAuthority({ commonName: 'Crucible federation CA' });
    writeFileSync(caKeyPath, ca.keyPem, { mode: 0o600 });
    writeFileSync(caCertPath, ca.certPem);
  }
  if (!existsSync(serverCertPath) || !existsSync(serverKeyPath)) {
    const server = issueCertificate(ca, { commonName: 'crucible-coordinator', usage: 'server', hosts: options.hosts ?? ['localhost', '127.0.0.1'] });
    writeFileSync(serverKeyPath, server.keyPem, { mode: 0o600 });
    writeFileSync(serverCertPath, server.certPem);
  }
  return { ca, caCertPath, serverCertPath, serverKeyPath };
}

export interface EnrollOptions {
  /** The coordinator's store (the plant registry). */
  storePath: string;
  /** The federation PKI folder (created on first enrolment). */
  pkiDir: string;
  /** Where the plant's credential files are written. */
  outDir: string;
  /** Names/IPs of the coordinator's server certificate, used only when the PKI is first created. */
  hosts?: readonly string[];
}

export interface EnrolledPlant {
  plantId: string;
  files: { ca: string; cert: string; key: string; token: string };
  /** Hex SHA-256 of the plant's certificate, recorded in the registry. */
  fingerprint: string;
}

/** Issues (or re-issues, replacing the old credential) a plant's certificate and token. */
export function enrollPlant(plantId: string, options: EnrollOptions): EnrolledPlant {
  const pki = ensureFederationPki(options.pkiDir, { hosts: options.hosts });
  const { token, tokenHash } = issuePlantToken(plantId);
  const cert = issueCertificate(pki.ca, { commonName: plantId, usage: 'client' });
  const store = CrucibleStore.open(options.storePath);
  try {
    store.plants.enroll(plantId, { tokenHash, certFingerprint: cert.fingerprint });
  } finally {
    store.close();
  }
  mkdirSync(options.outDir, { recursive: true, mode: 0o700 });
  const files = {
    ca: join(options.outDir, 'ca.pem'),
    cert: join(options.outDir, 'plant.pem'),
    key: join(options.outDir, 'plant-key.pem'),
    token: join(options.outDir, 'token'),
  };
  writeFileSync(files.ca, pki.ca.certPem);
  writeFileSync(files.cert, cert.certPem);
  writeFileSync(files.key, cert.keyPem, { mode: 0o600 });
  writeFileSync(files.token, `${token}\n`, { mode: 0o600 });
  return { plantId, files, fingerprint: cert.fingerprint };
}

/** Revokes a plant in the store; false when it was never enrolled. */
export function revokePlant(plantId: string, options: { storePath: string }): boolean {
  const store = CrucibleStore.open(options.storePath);
  try {
    return store.plants.revoke(plantId);
  } finally {
    store.close();
  }
}
