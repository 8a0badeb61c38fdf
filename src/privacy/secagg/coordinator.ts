/**
 * The coordinator's side of SecAgg / SecAgg+ as a pure state machine (Bonawitz et al., CCS 2017;
 * Bell et al., CCS 2020). It relays sealed shares it cannot read, collects masked inputs it cannot
 * read, and at the end learns only the sum of the survivors' inputs.
 *
 * Each stage is `receive…` (one call per plant message, in any order; a plant that never calls has
 * dropped) then `close…` (the stage deadline passed). A stage closes only while enough plants remain;
 * below that the round aborts with SECAGG_BELOW_THRESHOLD. Reconstructed secrets are checked against
 * what the plant committed to (its masking public key, its seed commitment): a bad share raises
 * SECAGG_TAMPERED instead of producing a wrong sum.
 *
 * The coordinator never holds both secrets of one plant: it accepts seed shares only for survivors
 * and key shares only for dropped plants, and the two sets are fixed before unmasking starts.
 *
 * The sum is built while the unmasking shares still arrive: the first one starts it from the masked
 * inputs, and a survivor's self mask comes off as soon as threshold shares of its seed are in and
 * match its commitment. `finish` removes what is left and checks every share received against the
 * polynomials, so a round's last reply is followed by little more than the check.
 *
 * @example
 * const c = new SecAggCoordinator({ round: 'r1' });
 * for (const k of keys) c.receiveKeys(k);
 * const roster = c.closeAdvertising();
 * // … shares, masked inputs, unmask shares …
 * const { sum, contributors } = c.finish();
 */
import { CrucibleError } from '../../errors.js';
import { type Entropy, systemEntropy } from './entropy.js';
import { defaultDegree, defaultThreshold, harary } from './graph.js';
import { publicKeyOf } from './keys.js';
import { commitSeed, pairwiseMask, pairwiseSeed } from './masking.js';
import type { AdvertisedKeys, MaskedInput, Roster, SecAggSettings, SecAggStage, ShareDelivery, SharedKeys, UnmaskRequest, UnmaskShares } from './messages.js';
import { type SignedSeed, addWords, applyMasks } from './prg.js';
import { checkSettings } from './settings.js';
import { type ShamirShare, shamirCombine } from './shamir.js';

export interface SecAggCoordinatorOptions {
  /** Round identifier (bound into all keys). */
  round: string;
  /**
   * Words per input. Default: fixed by the first masked input accepted; every later one must match.
   * (Plants mask an update they finish training after the setup stages, so its length may not be
   * known when the round opens.)
   */
  vectorLength?: number;
  /** 'secagg+' (Harary graph, default) or 'secagg' (every plant is every plant's neighbour). */
  variant?: 'secagg' | 'secagg+';
  /**
   * Plants invited to the round. Defaults (degree, threshold) derive from this, not from how many
   * show up, so dropouts cannot lower the threshold. Default: the plants that advertise keys.
   */
  cohortSize?: number;
  /** Neighbours per plant. Default `defaultDegree(cohortSize)` for SecAgg+, cohortSize − 1 for SecAgg. */
  degree?: number;
  /** Shares needed per neighbourhood. Default: a strict majority of degree + 1. */
  threshold?: number;
  /** Fewest plants whose sum may be released. Default: the threshold. */
  minimumPlants?: number;
  /** Source of the public graph seed. Default: the OS CSPRNG. */
  entropy?: Entropy;
}

/** The result of a round: the sum of the contributors' words, mod 2^32. */
export interface SecAggResult {
  readonly sum: Uint32Array;
  /** Plants whose inputs are in the sum (U3). */
  readonly contributors: readonly string[];
  /** Plants that shared keys but sent no input, whose masks were removed (U2 \ U3). */
  readonly dropped: readonly string[];
}

export class SecAggCoordinator {
  private readonly options: SecAggCoordinatorOptions;
  private stage: SecAggStage | 'done' = 'advertise-keys';
  private readonly keys = new Map<string, AdvertisedKeys>();
  private roster: Roster | null = null;
  private graph = new Map<string, Set<string>>();
  private readonly shared = new Map<string, SharedKeys>();
  private readonly masked = new Map<string, Uint32Array>();
  private request: UnmaskRequest | null = null;
  private readonly seedShares = new Map<string, ShamirShare[]>();
  private readonly keyShares = new Map<string, ShamirShare[]>();
  private readonly unmaskedBy = new Set<string>();
  private vectorLength: number | null;
  /** The survivors' inputs summed, less the self masks removed so far (from the first unmasking message on). */
  private partialSum: Uint32Array | null = null;
  /** Survivors whose self masks are already off `partialSum`. */
  private readonly removedSeeds = new Set<string>();

  constructor(options: SecAggCoordinatorOptions) {
    if (options.vectorLength !== undefined && (!Number.isInteger(options.vectorLength) || options.vectorLength < 1)) {
      throw new RangeError(`SecAggCoordinator: vectorLength must be a positive integer, got ${options.vectorLength}`);
    }
    this.options = options;
    this.vectorLength = options.vectorLength ?? null;
  }

  get round(): string {
    return this.options.round;
  }

  get currentStage(): SecAggStage | 'done' {
    return this.stage;
  }

  get settings(): SecAggSettings | null {
    return this.roster?.settings ?? null;
  }

  /** Which kinds of secret shares of `plant` the coordinator holds (for audits and tests). */
  heldShareKinds(plant: string): { seed: number; key: number } {
    return { seed: this.seedShares.get(plant)?.length ?? 0, key: this.keyShares.get(plant)?.length ?? 0 };
  }

  private expect(stage: SecAggStage): void {
    if (this.stage !== stage) {
      throw new CrucibleError('ROUND_STALE', `secure aggregation round ${this.round}: a ${stage} message arrived at stage ${this.stage}`, { round: this.round });
    }
  }

  private belowThreshold(what: string, have: number, need: number): never {
    this.stage = 'done';
    throw new CrucibleError('SECAGG_BELOW_THRESHOLD', `secure aggregation round ${this.round} aborted at ${what}: ${have} remain, ${need} needed`, { round: this.round, have, need });
  }

  receiveKeys(message: AdvertisedKeys): void {
    this.expect('advertise-keys');
    if (this.keys.has(message.plant)) throw new CrucibleError('DUPLICATE_SUBMISSION', `plant ${message.plant} advertised keys twice in round ${this.round}`, { plant: message.plant });
    if (message.encryptionKey.length !== 32 || message.maskingKey.length !== 32) {
      throw new CrucibleError('MESSAGE_MALFORMED', `plant ${message.plant}: public keys must be 32 bytes in round ${this.round}`, { plant: message.plant });
    }
    this.keys.set(message.plant, message);
  }

  /** Ends stage 0: fixes U1, the settings and the graph; the roster goes to every plant in U1. */
  closeAdvertising(): Roster {
    this.expect('advertise-keys');
    const plants = [...this.keys.values()].sort((a, b) => (a.plant < b.plant ? -1 : a.plant > b.plant ? 1 : 0));
    const n = plants.length;
    const cohort = this.options.cohortSize ?? n;
    const full = this.options.variant === 'secagg';
    const plannedDegree = this.options.degree ?? (full ? cohort - 1 : defaultDegree(cohort));
    const threshold = this.options.threshold ?? defaultThreshold(plannedDegree);
    const minimumPlants = this.options.minimumPlants ?? threshold;
    if (n < Math.max(minimumPlants, threshold, 2)) this.belowThreshold('advertise keys', n, Math.max(minimumPlants, threshold, 2));
    const degree = Math.min(n - 1, plannedDegree);
    const settings: SecAggSettings = {
      round: this.round,
      threshold,
      degree,
      minimumPlants,
      graphSeed: (this.options.entropy ?? systemEntropy)(32),
    };
    checkSettings(settings, n);
    this.roster = { settings, plants };
    this.graph = harary(plants.map((p) => p.plant), degree, settings.graphSeed);
    this.stage = 'share-keys';
    return this.roster;
  }

  receiveShares(message: SharedKeys): void {
    this.expect('share-keys');
    const neighbours = this.graph.get(message.plant);
    if (neighbours === undefined) throw new CrucibleError('UPDATE_REJECTED', `plant ${message.plant} is not in the roster of round ${this.round}`, { plant: message.plant });
    if (this.shared.has(message.plant)) throw new CrucibleError('DUPLICATE_SUBMISSION', `plant ${message.plant} shared keys twice in round ${this.round}`, { plant: message.plant });
    const targets = message.shares.map((s) => s.to);
    if (targets.length !== neighbours.size || new Set(targets).size !== targets.length || targets.some((t) => !neighbours.has(t))) {
      throw new CrucibleError('MESSAGE_MALFORMED', `plant ${message.plant} must send exactly one share to each of its ${neighbours.size} neighbours in round ${this.round}`, { plant: message.plant });
    }
    this.shared.set(message.plant, message);
  }

  /** Ends stage 1: fixes U2 and returns, per plant in U2, the sealed shares addressed to it by U2. */
  closeSharing(): Map<string, ShareDelivery> {
    this.expect('share-keys');
    const { threshold, minimumPlants } = this.roster!.settings;
    const u2 = new Set(this.shared.keys());
    if (u2.size < minimumPlants) this.belowThreshold('share keys', u2.size, minimumPlants);
    for (const u of u2) {
      // Every plant in U2 needs enough live holders of its shares to ever be unmasked.
      const holders = 1 + [...this.graph.get(u)!].filter((v) => u2.has(v)).length;
      if (holders < threshold) this.belowThreshold(`share keys (neighbourhood of ${u})`, holders, threshold);
    }
    const deliveries = new Map<string, { from: string; ciphertext: Uint8Array }[]>([...u2].map((u) => [u, []]));
    for (const [from, message] of this.shared) {
      for (const { to, ciphertext } of message.shares) deliveries.get(to)?.push({ from, ciphertext });
    }
    this.stage = 'masked-input';
    return new Map([...deliveries].map(([to, shares]) => [to, { shares }]));
  }

  receiveMasked(message: MaskedInput): void {
    this.expect('masked-input');
    if (!this.shared.has(message.plant)) throw new CrucibleError('UPDATE_REJECTED', `plant ${message.plant} sent a masked input in round ${this.round} without sharing keys`, { plant: message.plant });
    if (this.masked.has(message.plant)) throw new CrucibleError('DUPLICATE_SUBMISSION', `plant ${message.plant} sent two masked inputs in round ${this.round}`, { plant: message.plant });
    const expected = this.vectorLength ?? message.masked.length;
    if (message.masked.length !== expected || expected < 1) {
      throw new CrucibleError('UPDATE_REJECTED', `plant ${message.plant}: masked input has ${message.masked.length} words, round ${this.round} expects ${expected}`, { plant: message.plant });
    }
    this.vectorLength = expected;
    this.masked.set(message.plant, message.masked);
  }

  /** Ends stage 2: fixes U3 (survivors) and U2 \ U3 (dropped); the request goes to every survivor. */
  closeMasking(): UnmaskRequest {
    this.expect('masked-input');
    const survivors = [...this.masked.keys()].sort();
    if (survivors.length < this.roster!.settings.minimumPlants) this.belowThreshold('masked input', survivors.length, this.roster!.settings.minimumPlants);
    const dropped = [...this.shared.keys()].filter((p) => !this.masked.has(p)).sort();
    this.request = { survivors, dropped };
    this.stage = 'unmasking';
    return this.request;
  }

  receiveUnmask(message: UnmaskShares): void {
    this.expect('unmasking');
    const from = message.plant;
    if (!this.masked.has(from)) throw new CrucibleError('UPDATE_REJECTED', `plant ${from} is not a survivor of round ${this.round} and may not unmask`, { plant: from });
    if (this.unmaskedBy.has(from)) throw new CrucibleError('DUPLICATE_SUBMISSION', `plant ${from} sent unmasking shares twice in round ${this.round}`, { plant: from });
    const x = this.roster!.plants.findIndex((p) => p.plant === from) + 1;
    const holds = (of: string) => of === from || this.graph.get(of)?.has(from) === true;
    // Validate everything before keeping anything, so a bad message leaves no partial state.
    for (const { of, share } of message.seedShares) {
      if (!this.masked.has(of) || !holds(of) || share.x !== x) {
        throw new CrucibleError('SECAGG_TAMPERED', `plant ${from} sent a self-mask seed share of ${of} it may not send in round ${this.round}`, { plant: from });
      }
    }
    for (const { of, share } of message.keyShares) {
      if (!this.request!.dropped.includes(of) || !holds(of) || share.x !== x) {
        throw new CrucibleError('SECAGG_TAMPERED', `plant ${from} sent a masking-key share of ${of} it may not send in round ${this.round}`, { plant: from });
      }
    }
    this.unmaskedBy.add(from);
    const keep = (store: Map<string, ShamirShare[]>, of: string, share: ShamirShare) => {
      const list = store.get(of) ?? [];
      list.push(share);
      store.set(of, list);
    };
    for (const { of, share } of message.seedShares) keep(this.seedShares, of, share);
    for (const { of, share } of message.keyShares) keep(this.keyShares, of, share);
    this.unmaskEarly();
  }

  /**
   * Starts the sum and removes every self mask whose seed can now be reconstructed (see the class
   * comment). A seed whose shares disagree or miss its commitment is left to `finish`, which names it.
   */
  private unmaskEarly(): void {
    const { survivors } = this.request!;
    const { threshold } = this.roster!.settings;
    this.partialSum ??= this.inputSum();
    const ready: SignedSeed[] = [];
    for (const u of survivors) {
      const shares = this.seedShares.get(u) ?? [];
      if (this.removedSeeds.has(u) || shares.length < threshold) continue;
      const seed = this.selfMaskSeed(u);
      if (seed === null) continue;
      this.removedSeeds.add(u);
      ready.push({ seed, sign: -1 });
    }
    if (ready.length > 0) applyMasks(this.partialSum, ready);
  }

  /** The survivors' masked inputs summed (mod 2^32), masks and all. */
  private inputSum(): Uint32Array {
    const sum = new Uint32Array(this.vectorLength!);
    addWords(sum, this.request!.survivors.map((u) => ({ words: this.masked.get(u)!, sign: 1 as const })));
    return sum;
  }

  /** The self-mask seed of `u` from the shares held, or null if they disagree or miss its commitment. */
  private selfMaskSeed(u: string): Uint8Array | null {
    const { secret, consistent } = shamirCombine(this.seedShares.get(u)!, this.roster!.settings.threshold);
    if (secret === null || !consistent || !equalBytes(commitSeed(secret, u, this.round), this.shared.get(u)!.seedCommitment)) return null;
    return secret;
  }

  /** Ends stage 3: reconstructs the secrets, removes all masks and returns the sum of the survivors' inputs. */
  finish(): SecAggResult {
    this.expect('unmasking');
    this.stage = 'done';
    const { settings, plants } = this.roster!;
    const { survivors, dropped } = this.request!;
    const indexOf = new Map(plants.map((p, i) => [p.plant, i + 1]));
    const reconstruct = (store: Map<string, ShamirShare[]>, of: string, kind: string): Uint8Array => {
      const shares = store.get(of) ?? [];
      if (shares.length < settings.threshold) this.belowThreshold(`unmasking (${kind} of ${of})`, shares.length, settings.threshold);
      const { secret, consistent } = shamirCombine(shares, settings.threshold);
      if (secret === null || !consistent) {
        throw new CrucibleError('SECAGG_TAMPERED', `round ${this.round}: the ${kind} shares of ${of} do not agree; a plant sent a tampered share`, { plant: of });
      }
      return secret;
    };
    const sum = this.partialSum ?? this.inputSum();
    // Every mask still to remove, then one streamed pass over the sum (prg.ts).
    const masks: SignedSeed[] = [];
    for (const u of survivors) {
      // Reconstructed from ALL shares now: consistent shares lie on one polynomial, so a seed removed
      // early is this one, and a share that arrived after its removal is checked here.
      const seed = reconstruct(this.seedShares, u, 'self-mask seed');
      if (!equalBytes(commitSeed(seed, u, this.round), this.shared.get(u)!.seedCommitment)) {
        throw new CrucibleError('SECAGG_TAMPERED', `round ${this.round}: the reconstructed self-mask seed of ${u} does not match its commitment`, { plant: u });
      }
      if (!this.removedSeeds.has(u)) masks.push({ seed, sign: -1 });
    }
    const alive = new Set(survivors);
    for (const u of dropped) {
      const secretKey = reconstruct(this.keyShares, u, 'masking key');
      if (!equalBytes(publicKeyOf(secretKey), this.keys.get(u)!.maskingKey)) {
        throw new CrucibleError('SECAGG_TAMPERED', `round ${this.round}: the reconstructed masking key of ${u} does not match its public key`, { plant: u });
      }
      // Each surviving neighbour v applied its mask with u as seen from v; undo exactly that.
      for (const v of this.graph.get(u)!) {
        if (!alive.has(v)) continue;
        const seed = pairwiseSeed(secretKey, this.keys.get(v)!.maskingKey, this.round);
        masks.push(pairwiseMask(seed, indexOf.get(v)!, indexOf.get(u)!, -1));
      }
    }
    applyMasks(sum, masks);
    return { sum, contributors: survivors, dropped };
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
