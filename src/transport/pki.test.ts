import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import forge from 'node-forge';
import { serialNumber } from './pki.js';

const keys = generateKeyPairSync('rsa', { modulusLength: 1024, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

/** A self-signed certificate with the given serial hex, written by node-forge as `pki.ts` does. */
function certificateWithSerial(serialHex: string): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serialHex;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: 'serial test' }]);
  cert.setIssuer([{ name: 'commonName', value: 'serial test' }]);
  cert.sign(forge.pki.privateKeyFromPem(keys.privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

describe('certificate serial numbers', () => {
  it('OpenSSL refuses the serial the earlier rule could draw (bytes 00 00 0x…)', () => {
    // The earlier rule was '0' + 31 random hex digits: this is one of its draws.
    assert.throws(() => new X509Certificate(certificateWithSerial(`0000${'10'.repeat(14)}`)), { code: 'ERR_OSSL_ASN1_ILLEGAL_PADDING' });
  });

  it('are 16 bytes, positive and minimal whatever the random bytes, and OpenSSL reads them back', () => {
    for (const lead of [[0x00, 0x00, 0x10], [0x00, 0x10], [0x00, 0x80], [0x01], [0x7f], [0x80], [0xff, 0x00]]) {
      const random = new Uint8Array(16).fill(0x10);
      random.set(lead);
      const hex = serialNumber(random);
      assert.equal(hex.length, 32);
      const first = parseInt(hex.slice(0, 2), 16);
      assert.ok(first >= 0x01 && first <= 0x7f, `random bytes ${lead.join(',')}…: serial starts ${hex.slice(0, 2)}`);
      assert.equal(new X509Certificate(certificateWithSerial(hex)).serialNumber, hex.toUpperCase());
    }
    assert.throws(() => serialNumber(new Uint8Array(8)), /16 random bytes, got 8/);
  });
});
