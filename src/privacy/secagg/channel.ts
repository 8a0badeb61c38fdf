/**
 * A plant's share-channel key pair (the c keys of Bonawitz et al., CCS 2017, §4), kept for a few
 * sessions instead of one, with its X25519 agreements remembered per peer key. The channel only
 * carries sealed Shamir shares between plants through the coordinator, and unlike the masking key
 * its secret is never reconstructed by the protocol, so reusing it costs no secret the coordinator
 * could learn: each session's channel key is still fresh (HKDF over the agreement with the session
 * in the info), and each sealed share is bound to its session, sender and recipient. What reuse does
 * change is forward secrecy, set out in docs/threat-model.md: whoever later steals a plant's channel
 * secret can open the shares sent to that plant in the sessions the pair served — no more than that
 * plant held then, which still leaves every other plant's secrets behind the threshold.
 *
 * Why: a plant agrees with each of its k neighbours twice per round (channel and masks); X25519
 * costs ~50 µs here, so for k = 9 the channel half is ~0.5 ms of the ~5 ms a plant spends on SecAgg.
 *
 * @example
 * const channel = new ChannelKeys(systemEntropy);
 * const key = channel.sessionKey(peerEncryptionKey, 'session-7'); // the peer derives the same
 */
import type { Entropy } from './entropy.js';
import { type KeyPair, agree, expandShared, generateKeyPair } from './keys.js';

export class ChannelKeys {
  readonly keyPair: KeyPair;
  /** Agreements with peers' channel public keys (hex), made once for all sessions of this pair. */
  private readonly agreed = new Map<string, Uint8Array>();

  constructor(entropy: Entropy) {
    this.keyPair = generateKeyPair(entropy);
  }

  /** The key of the channel with the plant whose channel public key is `peerPublicKey`, for `session` only. */
  sessionKey(peerPublicKey: Uint8Array, session: string): Uint8Array {
    const id = Buffer.from(peerPublicKey.buffer, peerPublicKey.byteOffset, peerPublicKey.byteLength).toString('hex');
    let shared = this.agreed.get(id);
    if (shared === undefined) {
      shared = agree(this.keyPair.secretKey, peerPublicKey, `share-encryption in round ${session}`);
      this.agreed.set(id, shared);
    }
    return expandShared(shared, 'share-encryption', session);
  }
}

/** Sessions one channel key pair serves by default before a plant draws a new one. */
export const CHANNEL_KEY_SESSIONS = 10;

/** A plant's channel keys over its sessions: the same pair for `sessions` sessions, then a fresh one. */
export function rotatingChannelKeys(entropy: Entropy, sessions = CHANNEL_KEY_SESSIONS): () => ChannelKeys {
  if (!Number.isInteger(sessions) || sessions < 1) throw new RangeError(`channel keys: sessions per key pair must be a positive integer, got ${sessions}`);
  let current: ChannelKeys | null = null;
  let used = 0;
  return () => {
    if (current === null || used >= sessions) {
      current = new ChannelKeys(entropy);
      used = 0;
    }
    used++;
    return current;
  };
}
