import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isCrucibleError } from '../../errors.js';
import { Rng } from '../../tensor/rng.js';
import { seededEntropy } from './entropy.js';
import { FixedPoint } from './fixedPoint.js';
import { plainSum, runSecAggRound } from './run.js';
import { SecAggCoordinator } from './coordinator.js';
import { SecAggPlant } from './plant.js';
import type { SecAggStage } from './messages.js';

const stages: SecAggStage[] = ['advertise-keys', 'share-keys', 'masked-input', 'unmasking'];

function integerInputs(n: number, length: number, seed: number): Map<string, Uint32Array> {
  const rng = new Rng(seed);
  const inputs = new Map<string, Uint32Array>();
  for (let p = 0; p < n; p++) {
    const words = new Uint32Array(length);
    for (let i = 0; i < length; i++) words[i] = (rng.int(2001) - 1000) >>> 0;
    inputs.set(`plant-${p}`, words);
  }
  return inputs;
}

/** A dropout pattern: for each plant, the stage it drops at (or none). */
const dropoutArbitrary = (n: number) => fc.array(fc.option(fc.constantFrom(...stages), { nil: undefined, freq: 2 }), { minLength: n, maxLength: n });

function toDropouts(pattern: (SecAggStage | undefined)[]): Partial<Record<SecAggStage, string[]>> {
  const d: Partial<Record<SecAggStage, string[]>> = {};
  pattern.forEach((stage, p) => {
    if (stage !== undefined) (d[stage] ??= []).push(`plant-${p}`);
  });
  return d;
}

test('full SecAgg: the unmasked sum equals the plain sum for every dropout pattern, and aborts exactly when too few remain', () => {
  fc.assert(
    fc.property(fc.integer({ min: 3, max: 7 }).chain((n) => fc.tuple(fc.constant(n), dropoutArbitrary(n), fc.integer({ min: 0, max: 1e6 }))), ([n, pattern, seed]) => {
      const inputs = integerInputs(n, 12, seed);
      const threshold = Math.floor(n / 2) + 1;
      // Remaining after each stage: plants that did not drop at or before it.
      const remaining = stages.map((_, s) => pattern.filter((d) => d === undefined || stages.indexOf(d) > s).length);
      const shouldComplete = remaining.every((r) => r >= threshold);
      try {
        const result = runSecAggRound(inputs, {
          round: `r${seed}`,
          variant: 'secagg',
          dropouts: toDropouts(pattern),
          plantEntropy: (p) => seededEntropy(`${seed}/${p}`),
          entropy: seededEntropy(seed),
        });
        assert.ok(shouldComplete, `completed although remaining per stage were ${remaining} < ${threshold}`);
        const expected = [...inputs.keys()].filter((_, p) => pattern[p] === undefined || pattern[p] === 'unmasking');
        assert.deepEqual([...result.contributors], expected.sort());
        assert.deepEqual(result.sum, plainSum(inputs, expected));
      } catch (e) {
        if (!isCrucibleError(e, 'SECAGG_BELOW_THRESHOLD')) throw e;
        assert.ok(!shouldComplete, `aborted although remaining per stage were ${remaining} ≥ ${threshold}: ${e.message}`);
      }
    }),
    { numRuns: 40 },
  );
});

test('SecAgg+: the unmasked sum equals the plain sum for every dropout pattern that leaves each neighbourhood above threshold', () => {
  let completed = 0;
  fc.assert(
    fc.property(fc.integer({ min: 9, max: 13 }).chain((n) => fc.tuple(fc.constant(n), dropoutArbitrary(n), fc.integer({ min: 0, max: 1e6 }))), ([n, raw, seed]) => {
      // Keep dropouts sparse so most rounds complete on the sparse graph.
      const pattern = raw.map((d, p) => ((seed + p) % 3 === 0 ? d : undefined));
      const inputs = integerInputs(n, 10, seed);
      try {
        const result = runSecAggRound(inputs, {
          round: `r${seed}`,
          degree: 4,
          threshold: 3,
          minimumPlants: 3,
          dropouts: toDropouts(pattern),
          plantEntropy: (p) => seededEntropy(`${seed}/${p}`),
          entropy: seededEntropy(seed),
        });
        completed++;
        const expected = [...inputs.keys()].filter((_, p) => pattern[p] === undefined || pattern[p] === 'unmasking');
        assert.deepEqual(result.sum, plainSum(inputs, expected));
      } catch (e) {
        if (!isCrucibleError(e, 'SECAGG_BELOW_THRESHOLD')) throw e;
      }
    }),
    { numRuns: 25 },
  );
  assert.ok(completed >= 12, `only ${completed} of 25 rounds completed`);
});

test('float updates: the secure sum matches the float sum within the quantization bound', () => {
  const n = 6;
  const rng = new Rng(11);
  const fp = new FixedPoint({ clipRange: 1, plants: n });
  const floats = Array.from({ length: n }, () => rng.fillUniform(new Float64Array(40), -1, 1));
  const inputs = new Map(floats.map((x, p) => [`plant-${p}`, fp.encode(x)]));
  const { sum } = runSecAggRound(inputs, { round: 'float', variant: 'secagg', dropouts: { unmasking: ['plant-5'] } });
  const decoded = fp.decode(sum);
  for (let i = 0; i < 40; i++) {
    const plain = floats.reduce((s, x) => s + x[i], 0);
    assert.ok(Math.abs(decoded[i] - plain) <= fp.sumErrorBound, `coordinate ${i}: ${decoded[i]} vs ${plain}`);
  }
});

/** Drives a 5-plant full-SecAgg round by hand up to the unmasking request, with plant-4 dropped after sharing. */
function roundUpToUnmasking(length = 8) {
  const ids = ['p0', 'p1', 'p2', 'p3', 'p4'];
  const plants = ids.map((id) => new SecAggPlant(id, { entropy: seededEntropy(`hand/${id}`) }));
  const coordinator = new SecAggCoordinator({ round: 'hand', vectorLength: length, variant: 'secagg', entropy: seededEntropy('hand') });
  for (const p of plants) coordinator.receiveKeys(p.advertiseKeys('hand'));
  const roster = coordinator.closeAdvertising();
  for (const p of plants) coordinator.receiveShares(p.shareKeys(roster));
  const deliveries = coordinator.closeSharing();
  return { plants, coordinator, deliveries, length };
}

test('the coordinator never holds both the seed shares and the key shares of one plant', () => {
  const { plants, coordinator, deliveries, length } = roundUpToUnmasking();
  for (const p of plants.slice(0, 4)) coordinator.receiveMasked(p.maskedInput(deliveries.get(p.plant)!, new Uint32Array(length).fill(1)));
  const request = coordinator.closeMasking();
  assert.deepEqual(request.dropped, ['p4']);
  for (const p of plants.slice(0, 4)) coordinator.receiveUnmask(p.unmask(request));
  const { sum } = coordinator.finish();
  assert.deepEqual(Array.from(sum), new Array(length).fill(4));
  for (const id of ['p0', 'p1', 'p2', 'p3', 'p4']) {
    const held = coordinator.heldShareKinds(id);
    assert.ok(held.seed === 0 || held.key === 0, `${id}: ${JSON.stringify(held)}`);
  }
  assert.equal(coordinator.heldShareKinds('p4').key, 4);
  assert.equal(coordinator.heldShareKinds('p0').seed, 4);
});

test('a plant refuses an unmasking request that would reveal both secrets of another plant', () => {
  const { plants, coordinator, deliveries, length } = roundUpToUnmasking();
  for (const p of plants) coordinator.receiveMasked(p.maskedInput(deliveries.get(p.plant)!, new Uint32Array(length)));
  assert.throws(
    () => plants[0].unmask({ survivors: ['p0', 'p1', 'p2', 'p3', 'p4'], dropped: ['p4'] }),
    (e) => isCrucibleError(e, 'SECAGG_TAMPERED') && /both/.test(e.message),
  );
  // …and answers at most once per round, so two different requests cannot be combined.
  assert.throws(() => plants[0].unmask({ survivors: ['p0', 'p1', 'p2', 'p3'], dropped: ['p4'] }), RangeError);
});

test('the coordinator rejects a share of the kind it may not hold', () => {
  const { plants, coordinator, deliveries, length } = roundUpToUnmasking();
  for (const p of plants.slice(0, 4)) coordinator.receiveMasked(p.maskedInput(deliveries.get(p.plant)!, new Uint32Array(length)));
  const request = coordinator.closeMasking();
  const honest = plants[0].unmask(request);
  const greedy = { ...honest, seedShares: [...honest.seedShares, { of: 'p4', share: honest.keyShares[0].share }] };
  assert.throws(() => coordinator.receiveUnmask(greedy), (e) => isCrucibleError(e, 'SECAGG_TAMPERED'));
  assert.equal(coordinator.heldShareKinds('p4').seed, 0);
});

test('a tampered share ciphertext is detected by the plant that receives it', () => {
  const { plants, deliveries, length } = roundUpToUnmasking();
  const delivery = deliveries.get('p1')!;
  const bad = delivery.shares[0].ciphertext.slice();
  bad[20] ^= 0x40;
  const tampered = { shares: [{ ...delivery.shares[0], ciphertext: bad }, ...delivery.shares.slice(1)] };
  assert.throws(() => plants[1].maskedInput(tampered, new Uint32Array(length)), (e) => isCrucibleError(e, 'SECAGG_TAMPERED'));
  // A share re-addressed to another plant fails too: sender and recipient are authenticated.
  const stolen = { shares: [deliveries.get('p2')!.shares.find((s) => s.from === 'p0')!] };
  const p1Fresh = roundUpToUnmasking();
  assert.throws(() => p1Fresh.plants[1].maskedInput({ shares: [{ ...stolen.shares[0] }] }, new Uint32Array(length)), (e) => isCrucibleError(e, 'SECAGG_TAMPERED'));
});

// Threshold 3 of 5: a share tampered in the third reveal is among those a seed is first rebuilt
// from; one in the fourth arrives after that seed's mask came off the sum (coordinator.ts), and
// must be caught all the same.
for (const tampered of [2, 3]) {
  test(`a tampered unmasking share (reveal ${tampered + 1} of 4, threshold 3) is detected before a wrong sum is released`, () => {
    const { plants, coordinator, deliveries, length } = roundUpToUnmasking();
    for (const p of plants.slice(0, 4)) coordinator.receiveMasked(p.maskedInput(deliveries.get(p.plant)!, new Uint32Array(length)));
    const request = coordinator.closeMasking();
    const reveals = plants.slice(0, 4).map((p) => p.unmask(request));
    const [first, ...rest] = reveals[tampered].seedShares;
    const y = first.share.y.slice();
    y[10] ^= 1;
    reveals[tampered] = { ...reveals[tampered], seedShares: [{ ...first, share: { x: first.share.x, y } }, ...rest] };
    for (const r of reveals) coordinator.receiveUnmask(r);
    assert.throws(() => coordinator.finish(), (e) => isCrucibleError(e, 'SECAGG_TAMPERED') && e.message.includes(first.of));
  });
}

test('what the coordinator receives from one plant is indistinguishable from uniform', () => {
  // Input all zeros: everything visible is mask. Chi-square over 256 bins of each byte lane of
  // 2^14 masked words; with a fixed seed the statistic is deterministic, and the bound is the
  // χ²(255) quantile at p = 1e-6 (≈ 361), so only a grossly non-uniform mask fails.
  const length = 1 << 14;
  const { plants, coordinator, deliveries } = roundUpToUnmasking(length);
  const masked = plants[0].maskedInput(deliveries.get('p0')!, new Uint32Array(length)).masked;
  void coordinator;
  const chiSquare = (words: Uint32Array, shift: number) => {
    const counts = new Float64Array(256);
    for (const w of words) counts[(w >>> shift) & 0xff]++;
    const expected = words.length / 256;
    return counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
  };
  for (const shift of [0, 8, 16, 24]) assert.ok(chiSquare(masked, shift) < 361, `byte lane ${shift / 8}: χ² = ${chiSquare(masked, shift)}`);
  // Control: the unmasked update of a real plant (small integers) fails the same test.
  const plain = new Uint32Array(length).map((_, i) => (i % 7) - 3);
  assert.ok(chiSquare(plain, 24) > 361);
  // Kolmogorov–Smirnov against U[0, 2^32): D·√n below the 1e-6 critical value (≈ 2.78).
  const sorted = Float64Array.from(masked).sort();
  let d = 0;
  sorted.forEach((w, i) => (d = Math.max(d, Math.abs((i + 1) / length - w / 2 ** 32), Math.abs(i / length - w / 2 ** 32))));
  assert.ok(d * Math.sqrt(length) < 2.78, `KS statistic ${d * Math.sqrt(length)}`);
});

test('settings below a majority threshold are refused by the coordinator and by plants', () => {
  assert.throws(
    () => runSecAggRound(integerInputs(6, 4, 1), { round: 'weak', variant: 'secagg', threshold: 3 }),
    (e) => isCrucibleError(e, 'SECAGG_UNSAFE_PARAMETERS') && /strict majority/.test(e.message),
  );
});

test('masking in place gives the same masked input as masking a copy, and a copy leaves the input untouched', () => {
  const length = 40;
  const masks = (inPlace: boolean) => {
    const ids = ['plant-0', 'plant-1', 'plant-2'];
    const plants = ids.map((id) => new SecAggPlant(id, { entropy: seededEntropy(`in-place/${id}`) }));
    const coordinator = new SecAggCoordinator({ round: 'r', entropy: seededEntropy('in-place/coordinator') });
    for (const p of plants) coordinator.receiveKeys(p.advertiseKeys('r'));
    const roster = coordinator.closeAdvertising();
    for (const p of plants) coordinator.receiveShares(p.shareKeys(roster));
    const deliveries = coordinator.closeSharing();
    return plants.map((p) => {
      const input = new Uint32Array(length).map((_, i) => i);
      const { masked } = p.maskedInput(deliveries.get(p.plant)!, input, { inPlace });
      return { input, masked };
    });
  };
  const copied = masks(false);
  const inPlace = masks(true);
  inPlace.forEach(({ input, masked }, i) => {
    assert.equal(masked, input);
    assert.deepEqual(masked, copied[i].masked);
    assert.deepEqual(copied[i].input, new Uint32Array(length).map((_, j) => j));
    assert.notDeepEqual(copied[i].masked, copied[i].input);
  });
});
