/**
 * The plant's side of SecAgg / SecAgg+ as a pure state machine (Bonawitz et al., CCS 2017, Fig. 4;
 * Bell et al., CCS 2020, Alg. 2). Each stage method consumes what the coordinator relayed and
 * returns what the plant sends; calling a stage out of order is an error. No IO: the same object
 * runs in memory and behind the network transport.
 *
 * The plant enforces its own privacy, trusting the coordinator for nothing: it checks the settings,
 * authenticates every share it receives, reveals for each other plant EITHER the self-mask seed share
 * (plant survived) OR the masking-key share (plant dropped) — never both — and answers one unmasking
 * request per round only.
 *
 * @example
 * const plant = new SecAggPlant('plant-a');
 * const keys = plant.advertiseKeys('round-1');          // → coordinator
 * const shared = plant.shareKeys(roster);                // → coordinator
 * const masked = plant.maskedInput(delivery, words);     // → coordinator
 * const reveal = plant.unmask(request);                  // → coordinator
 */
import { CrucibleError } from '../../errors.js';
import { type Entropy, systemEntropy } from './entropy.js';
import { harary } from './graph.js';
import { ChannelKeys } from './channel.js';
import { type KeyPair, generateKeyPair, open, seal } from './keys.js';
import { commitSeed, packSharePair, pairwiseMask, pairwiseSeed, shareAad, unpackSharePair } from './masking.js';
import type { AdvertisedKeys, MaskedInput, Roster, SecAggStage, ShareDelivery, SharedKeys, UnmaskRequest, UnmaskShares } from './messages.js';
import { type SignedSeed, applyMasks } from './prg.js';
import { checkSettings } from './settings.js';
import { type ShamirShare, shamirSplit } from './shamir.js';

export interface SecAggPlantOptions {
  /** Source of keys, seeds and nonces. Default: the OS CSPRNG. */
  entropy?: Entropy;
  /**
   * The share-channel key pair to advertise, possibly one used in earlier sessions (channel.ts).
   * Default: a fresh pair for this session.
   */
  channel?: ChannelKeys;
}

export interface MaskedInputOptions {
  /** Mask `input` itself (the caller's words become the masked input) instead of a copy. Default false. */
  inPlace?: boolean;
}

type HeldShares = { keyShare: ShamirShare; seedShare: ShamirShare };

export class SecAggPlant {
  readonly plant: string;
  private readonly entropy: Entropy;
  private stage: SecAggStage | 'done' = 'advertise-keys';
  private round = '';
  private readonly channelOption: ChannelKeys | undefined;
  private channel: ChannelKeys | null = null;
  private masking: KeyPair | null = null;
  private selfSeed: Uint8Array | null = null;
  private roster: Roster | null = null;
  private neighbours: Set<string> = new Set();
  /** Roster position + 1 (the Shamir x-coordinate) by plant. */
  private positions = new Map<string, number>();
  /** Shares this plant holds, by the plant they belong to (itself included). */
  private readonly held = new Map<string, HeldShares>();
  /** Share-channel keys by peer: derived once in stage 1, reused to open the peer's shares in stage 2. */
  private readonly channelKeys = new Map<string, Uint8Array>();
  /** Pairwise mask seeds by neighbour, agreed in stage 1 (they need only the roster, not the update). */
  private readonly pairwiseSeeds = new Map<string, Uint8Array>();

  constructor(plant: string, options: SecAggPlantOptions = {}) {
    if (plant.length === 0) throw new RangeError('SecAggPlant: plant id must be non-empty');
    this.plant = plant;
    this.entropy = options.entropy ?? systemEntropy;
    this.channelOption = options.channel;
  }

  /** The stage this plant expects next. */
  get currentStage(): SecAggStage | 'done' {
    return this.stage;
  }

  private expect(stage: SecAggStage): void {
    if (this.stage !== stage) throw new RangeError(`SecAggPlant ${this.plant}: got a ${stage} message while at stage ${this.stage}`);
  }

  /** Stage 0: a fresh masking key pair for this round, and the channel key pair (fresh unless given). */
  advertiseKeys(round: string): AdvertisedKeys {
    this.expect('advertise-keys');
    this.round = round;
    this.channel = this.channelOption ?? new ChannelKeys(this.entropy);
    this.masking = generateKeyPair(this.entropy);
    this.stage = 'share-keys';
    return { plant: this.plant, encryptionKey: this.channel.keyPair.publicKey, maskingKey: this.masking.publicKey };
  }

  /** Stage 1: Shamir-share the masking key and a fresh self-mask seed among the neighbourhood. */
  shareKeys(roster: Roster): SharedKeys {
    this.expect('share-keys');
    const { settings } = roster;
    if (settings.round !== this.round) throw new CrucibleError('SECAGG_TAMPERED', `plant ${this.plant}: roster is for round ${settings.round}, expected ${this.round}`);
    checkSettings(settings, roster.plants.length);
    const me = roster.plants.find((p) => p.plant === this.plant);
    if (me === undefined || !equalBytes(me.maskingKey, this.masking!.publicKey) || !equalBytes(me.encryptionKey, this.channel!.keyPair.publicKey)) {
      throw new CrucibleError('SECAGG_TAMPERED', `plant ${this.plant}: the roster of round ${this.round} does not carry this plant's keys`);
    }
    if (new Set(roster.plants.map((p) => p.plant)).size !== roster.plants.length) {
      throw new CrucibleError('SECAGG_TAMPERED', `plant ${this.plant}: the roster of round ${this.round} lists a plant twice`);
    }
    this.roster = roster;
    this.positions = new Map(roster.plants.map((p, i) => [p.plant, i + 1]));
    this.neighbours = harary(roster.plants.map((p) => p.plant), settings.degree, settings.graphSeed).get(this.plant)!;
    for (const peer of this.neighbours) this.pairwiseSeeds.set(peer, pairwiseSeed(this.masking!.secretKey, this.keysOf(peer).maskingKey, this.round));
    this.selfSeed = this.entropy(32);
    const holders = [this.plant, ...this.neighbours];
    const xs = holders.map((h) => this.indexOf(h));
    const keyShares = shamirSplit(this.masking!.secretKey, xs, settings.threshold, this.entropy);
    const seedShares = shamirSplit(this.selfSeed, xs, settings.threshold, this.entropy);
    const shares: { to: string; ciphertext: Uint8Array }[] = [];
    holders.forEach((holder, i) => {
      if (holder === this.plant) {
        this.held.set(this.plant, { keyShare: keyShares[i], seedShare: seedShares[i] });
        return;
      }
      const key = this.channelKey(holder);
      const plaintext = packSharePair(xs[i], keyShares[i], seedShares[i]);
      shares.push({ to: holder, ciphertext: seal(key, plaintext, shareAad(this.round, this.plant, holder), this.entropy) });
    });
    this.stage = 'masked-input';
    return { plant: this.plant, seedCommitment: commitSeed(this.selfSeed, this.plant, this.round), shares };
  }

  /**
   * Stage 2: opens the shares neighbours sent (those neighbours form U2 ∩ N(u)) and returns the input
   * (already quantized into words, of any length the coordinator then checks) plus the self mask and
   * the pairwise masks with those neighbours. `input` is not modified unless `options.inPlace`.
   */
  maskedInput(delivery: ShareDelivery, input: Uint32Array, options: MaskedInputOptions = {}): MaskedInput {
    this.expect('masked-input');
    const { settings } = this.roster!;
    for (const { from, ciphertext } of delivery.shares) {
      if (!this.neighbours.has(from) || this.held.has(from)) {
        throw new CrucibleError('SECAGG_TAMPERED', `plant ${this.plant}: unexpected share from ${from} in round ${this.round} (not a neighbour, or sent twice)`);
      }
      const key = this.channelKey(from);
      const pair = unpackSharePair(open(key, ciphertext, shareAad(this.round, from, this.plant)), `from ${from} to ${this.plant}`);
      if (pair.keyShare.x !== this.indexOf(this.plant)) {
        throw new CrucibleError('SECAGG_TAMPERED', `plant ${this.plant}: share from ${from} is for x=${pair.keyShare.x}, not this plant`);
      }
      this.held.set(from, pair);
    }
    if (this.held.size < settings.threshold) {
      throw new CrucibleError('SECAGG_BELOW_THRESHOLD', `plant ${this.plant}: only ${this.held.size} of its neighbourhood remain in round ${this.round}, threshold ${settings.threshold}`, { plant: this.plant, round: this.round });
    }
    const selfIndex = this.indexOf(this.plant);
    const masks: SignedSeed[] = [{ seed: this.selfSeed!, sign: 1 }];
    for (const peer of this.held.keys()) if (peer !== this.plant) masks.push(pairwiseMask(this.pairwiseSeeds.get(peer)!, selfIndex, this.indexOf(peer)));
    const masked = options.inPlace === true ? input : input.slice();
    applyMasks(masked, masks);
    this.stage = 'unmasking';
    return { plant: this.plant, masked };
  }

  /** Stage 3: for each plant it holds shares of, the seed share if it survived, the key share if it dropped. */
  unmask(request: UnmaskRequest): UnmaskShares {
    this.expect('unmasking');
    this.stage = 'done'; // one answer per round, whatever happens below
    const survivors = new Set(request.survivors);
    const dropped = new Set(request.dropped);
    const { settings } = this.roster!;
    for (const p of dropped) {
      if (survivors.has(p)) {
        throw new CrucibleError('SECAGG_TAMPERED', `plant ${this.plant}: unmasking request of round ${this.round} lists ${p} as both survivor and dropped; refusing to reveal both of its secrets`);
      }
    }
    if (!survivors.has(this.plant)) {
      throw new CrucibleError('SECAGG_TAMPERED', `plant ${this.plant}: unmasking request of round ${this.round} does not count this plant as a survivor`);
    }
    if (survivors.size < settings.minimumPlants) {
      throw new CrucibleError('SECAGG_BELOW_THRESHOLD', `plant ${this.plant}: ${survivors.size} survivors in round ${this.round}, fewer than the minimum ${settings.minimumPlants}`);
    }
    const seedShares: UnmaskShares['seedShares'][number][] = [];
    const keyShares: UnmaskShares['keyShares'][number][] = [];
    for (const [of, shares] of this.held) {
      if (survivors.has(of)) seedShares.push({ of, share: shares.seedShare });
      else if (dropped.has(of)) keyShares.push({ of, share: shares.keyShare });
      else throw new CrucibleError('SECAGG_TAMPERED', `plant ${this.plant}: ${of} shared keys in round ${this.round} but the unmasking request omits it`);
    }
    return { plant: this.plant, seedShares, keyShares };
  }

  private channelKey(peer: string): Uint8Array {
    let key = this.channelKeys.get(peer);
    if (key === undefined) {
      key = this.channel!.sessionKey(this.keysOf(peer).encryptionKey, this.round);
      this.channelKeys.set(peer, key);
    }
    return key;
  }

  private indexOf(plant: string): number {
    const i = this.positions.get(plant);
    if (i === undefined) throw new CrucibleError('SECAGG_TAMPERED', `plant ${this.plant}: ${plant} is not in the roster of round ${this.round}`);
    return i;
  }

  private keysOf(plant: string): AdvertisedKeys {
    return this.roster!.plants[this.indexOf(plant) - 1];
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
