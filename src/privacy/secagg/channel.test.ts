import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCrucibleError } from '../../errors.js';
import { ChannelKeys, rotatingChannelKeys } from './channel.js';
import { SecAggCoordinator } from './coordinator.js';
import { seededEntropy } from './entropy.js';
import { deriveKey } from './keys.js';
import { SecAggPlant } from './plant.js';
import { plainSum, runSecAggRound } from './run.js';

test('a channel key is the same from both sides, bound to its session, and what deriveKey makes', () => {
  const a = new ChannelKeys(seededEntropy('channel/a'));
  const b = new ChannelKeys(seededEntropy('channel/b'));
  const ab = a.sessionKey(b.keyPair.publicKey, 's1');
  assert.deepEqual(ab, b.sessionKey(a.keyPair.publicKey, 's1'));
  assert.deepEqual(ab, deriveKey(a.keyPair.secretKey, b.keyPair.publicKey, 'share-encryption', 's1'));
  // Remembered agreements must not leak one session's key into the next.
  const next = a.sessionKey(b.keyPair.publicKey, 's2');
  assert.notDeepEqual(next, ab);
  assert.deepEqual(next, deriveKey(b.keyPair.secretKey, a.keyPair.publicKey, 'share-encryption', 's2'));
  assert.throws(() => a.sessionKey(new Uint8Array(32), 's3'), (e) => isCrucibleError(e, 'SECAGG_TAMPERED') && /share-encryption in round s3/.test(e.message));
});

test('rotating channel keys serve the set number of sessions, then a fresh pair', () => {
  const next = rotatingChannelKeys(seededEntropy('rotate'), 2);
  const [s1, s2, s3, s4, s5] = [next(), next(), next(), next(), next()];
  assert.equal(s1, s2);
  assert.notEqual(s3, s2);
  assert.notDeepEqual(s3.keyPair.publicKey, s2.keyPair.publicKey);
  assert.equal(s4, s3);
  assert.notEqual(s5, s4);
  assert.throws(() => rotatingChannelKeys(seededEntropy('rotate'), 0), /positive integer, got 0/);
});

test('rounds that share channel keys sum exactly, dropouts included, and a share relayed from an earlier round does not open', () => {
  const ids = ['p0', 'p1', 'p2', 'p3', 'p4'];
  const channels = new Map(ids.map((id) => [id, new ChannelKeys(seededEntropy(`keep/${id}`))]));
  const inputs = new Map(ids.map((id, p) => [id, new Uint32Array(16).map((_, i) => (p * 1000 + i * 7 - 50) >>> 0)]));
  const dropouts = [{}, { unmasking: ['p1'] }, { 'masked-input': ['p3'] }] as const;
  dropouts.forEach((d, r) => {
    const result = runSecAggRound(inputs, { round: `keep-${r}`, variant: 'secagg', dropouts: d, channel: (id) => channels.get(id)!, plantEntropy: (id) => seededEntropy(`keep/${r}/${id}`), entropy: seededEntropy(`keep/${r}`) });
    const expected = ids.filter((id) => id !== 'p3' || r !== 2);
    assert.deepEqual([...result.contributors], expected);
    assert.deepEqual(result.sum, plainSum(inputs, expected));
  });
  // Same channel pairs in two sessions: a sealed share from session 1 replayed in session 2 fails.
  const setUp = (round: string) => {
    const plants = ids.map((id) => new SecAggPlant(id, { entropy: seededEntropy(`replay/${round}/${id}`), channel: channels.get(id)! }));
    const coordinator = new SecAggCoordinator({ round, variant: 'secagg', entropy: seededEntropy(`replay/${round}`) });
    const advertised = plants.map((p) => p.advertiseKeys(round));
    for (const k of advertised) coordinator.receiveKeys(k);
    const roster = coordinator.closeAdvertising();
    for (const p of plants) coordinator.receiveShares(p.shareKeys(roster));
    return { plants, advertised, deliveries: coordinator.closeSharing() };
  };
  const first = setUp('replay-1');
  const second = setUp('replay-2');
  assert.deepEqual(second.advertised.map((k) => k.encryptionKey), first.advertised.map((k) => k.encryptionKey));
  assert.notDeepEqual(second.advertised.map((k) => k.maskingKey), first.advertised.map((k) => k.maskingKey));
  assert.throws(() => second.plants[0].maskedInput(first.deliveries.get('p0')!, new Uint32Array(16)), (e) => isCrucibleError(e, 'SECAGG_TAMPERED'));
});
