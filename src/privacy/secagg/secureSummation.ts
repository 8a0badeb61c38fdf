/**
 * Secure aggregation on the coordinator's side, as a `Summation` (the federation's seam for "ask the
 * plants for vectors, learn only their sum"): it drives the SecAgg coordinator state machine over a
 * `Grid` — any grid, in-memory or gRPC — in send/collect exchanges, one per stage. Plants that
 * fail or time out at a stage are dropouts; the round completes while enough remain and throws
 * SECAGG_BELOW_THRESHOLD otherwise.
 *
 * The plants start the inner task (their training) in the first stage and answer the two setup
 * stages while it runs; the masked-input stage collects each plant's input once it has trained.
 * The two setup stages of the summation's next session ride on this one's last two: the plants
 * advertise its keys with their masked inputs, and share them, with the roster sent along with the
 * unmasking request, with their unmasking shares. A session so prepared for the same cohort starts
 * at the masked-input stage, carrying the inner task: two exchanges instead of four. The
 * coordinator sends a codec policy (`clipRange`, scales, example cap) with the roster; each plant
 * derives its fixed-point codecs from it and its own arrays, re-checking the bit budget, and returns
 * its layout with the masked input; the coordinator sums the inputs of the layout most plants report.
 *
 * @example
 * const summation = secureSummation({ clipRange: { featureSum: 1e6, featureSumSq: 1e9, targetSum: 1e6, targetSumSq: 1e9 } });
 * await federatedScaling(grid, plants, { runId, timeoutMs: 10_000, summation });
 */
import { CrucibleError, isCrucibleError } from '../../errors.js';
import type { Grid, SendOptions } from '../../federation/grid.js';
import type { ConfigRecord, ReplyFailure, ReplyOk, TaskMessage } from '../../federation/messages.js';
import type { SumOutcome, Summation } from '../../federation/summation.js';
import { SecAggCoordinator, type SecAggResult } from './coordinator.js';
import { type Entropy, systemEntropy } from './entropy.js';
import { type CodecEntry, type CodecPolicy, EXAMPLES_ENTRY, type LayoutEntry, chooseCodecs, codecsFor, decodeSum, layoutLength } from './layout.js';
import type { AdvertisedKeys, MaskedInput, Roster, ShareDelivery } from './messages.js';
import { secAggTaskKinds, stageBytes, wrapInnerTask } from './tasks.js';
import {
  decodeAdvertisedKeys,
  decodeJson,
  decodeMaskedInput,
  decodeSharedKeys,
  decodeUnmaskShares,
  encodeCodecPolicy,
  encodeRoster,
  encodeShareDelivery,
  encodeUnmaskRequest,
} from './wire.js';

export interface SecureSummationOptions {
  /** Largest |value| per coordinate of a plant's array (after weighting), one for all or per array name. */
  clipRange: number | Readonly<Record<string, number>>;
  /** Fixed-point scale per array (levels per unit), e.g. 1/γ for distributed DP. Default: the largest power of two the bit budget allows. */
  scale?: Readonly<Record<string, number>>;
  /** McMahan et al. 2018 capped weights: w = min(1, numExamples / exampleCap); sums are then Σ w·array and `__weight` = Σ w. Default: no weighting. */
  exampleCap?: number;
  /** Largest numExamples one plant may report. Default: what the bit budget allows. */
  maxExamplesPerPlant?: number;
  /** 'secagg+' (default) or 'secagg' (complete graph). */
  variant?: 'secagg' | 'secagg+';
  degree?: number;
  threshold?: number;
  minimumPlants?: number;
  /** Source of the graph seed and session ids. Default: the OS CSPRNG. */
  entropy?: Entropy;
  /**
   * Set up this summation's next session during this one (keys with the masked inputs, shares with
   * the unmasking), so that it starts at the masked-input stage. Default true; off for a summation
   * used once (its plants would hold keys for a session that never comes).
   */
  advertiseNext?: boolean;
}

/** A `Summation` whose result is the output of a SecAgg(+) round (see the file comment). */
export interface SecureSummation extends Summation {
  sum(grid: Grid, plantIds: readonly string[], task: TaskMessage | ((plantId: string) => TaskMessage), options: SendOptions): Promise<SumOutcome>;
}

/** A session whose keys were advertised and shared during the previous one, ready for its masked inputs. */
interface PreparedSession {
  readonly session: string;
  readonly coordinator: SecAggCoordinator;
  readonly deliveries: Map<string, ShareDelivery>;
}

/** The next session being set up during this one: its coordinator, until its keys are shared. */
interface NextSession {
  readonly session: string;
  readonly coordinator: SecAggCoordinator;
  /** Its roster once its keys are in (null: too few plants advertised, it is not prepared). */
  roster: Roster | null;
}

export function secureSummation(options: SecureSummationOptions): SecureSummation {
  const entropy = options.entropy ?? systemEntropy;
  let sessions = 0;
  let prepared: PreparedSession | null = null;
  const newSession = (sample: TaskMessage) => `${sample.runId}/${sample.kind}/${++sessions}-${Buffer.from(entropy(6)).toString('hex')}`;
  const newCoordinator = (session: string, cohort: number) =>
    new SecAggCoordinator({
      round: session, cohortSize: cohort,
      variant: options.variant, degree: options.degree, threshold: options.threshold, minimumPlants: options.minimumPlants, entropy,
    });
  return {
    async sum(grid, plantIds, task, sendOptions) {
      const taskFor = typeof task === 'function' ? task : () => task;
      const sample = taskFor(plantIds[0] ?? '');
      // The setup stages were done during the previous session if every plant of this cohort, and
      // no other, shared keys for the prepared one.
      const early = prepared !== null && prepared.deliveries.size === plantIds.length && plantIds.every((id) => prepared!.deliveries.has(id)) ? prepared : null;
      prepared = null;
      const session = early?.session ?? newSession(sample);
      const round = new SessionRound(grid, sendOptions, sample, session, plantIds.length);
      const policy: CodecPolicy = {
        clipRange: options.clipRange, scale: options.scale, exampleCap: options.exampleCap,
        maxExamples: options.maxExamplesPerPlant ?? Math.floor((2 ** 31 - 1) / Math.max(1, plantIds.length)),
      };
      const bytes = { [stageBytes.policy]: encodeCodecPolicy(policy) };
      const next: NextSession | null = options.advertiseNext === false ? null : (() => {
        const id = newSession(sample);
        return { session: id, coordinator: newCoordinator(id, plantIds.length), roster: null };
      })();
      try {
        let coordinator: SecAggCoordinator;
        let deliveries: Map<string, ShareDelivery>;
        if (early !== null) {
          ({ coordinator, deliveries } = early);
        } else {
          coordinator = newCoordinator(session, plantIds.length);
          // Stage 0: keys, with the inner task, which each plant then starts.
          await round.exchange(plantIds, (id) => wrapInnerTask(taskFor(id), { session }), (reply) => coordinator.receiveKeys(advertisedBy(reply, reply.bytes?.keys)));
          const roster = coordinator.closeAdvertising();
          // Stage 1: sealed shares, relayed unread.
          const shareTask = round.task(secAggTaskKinds.share, { ...bytes, [stageBytes.roster]: encodeRoster(roster) });
          await round.exchange(roster.plants.map((p) => p.plant), () => shareTask, (reply) => receiveShares(coordinator, reply, reply.bytes?.shared));
          deliveries = coordinator.closeSharing();
        }

        // Stage 2: masked inputs, each once its plant has trained, with the layout it was encoded in;
        // the inner task rides here in a prepared session; the next session's keys come back.
        const nextConfig: Record<string, string> = next === null ? {} : { secaggNextSession: next.session };
        const maskTask = (id: string): TaskMessage => {
          const stage = { [stageBytes.delivery]: encodeShareDelivery(deliveries.get(id)!) };
          return early === null
            ? round.task(secAggTaskKinds.mask, stage, nextConfig)
            : wrapInnerTask(taskFor(id), { session, kind: secAggTaskKinds.mask, config: round.config(nextConfig), bytes: stage });
        };
        const codecs = await maskedInputs(round, coordinator, deliveries, maskTask, policy, plantIds.length, (reply, keys) => {
          if (next !== null) nextSessionStep(() => next.coordinator.receiveKeys(advertisedBy(reply, keys)));
        });
        const request = coordinator.closeMasking();
        if (next !== null) next.roster = nextSessionStep(() => next.coordinator.closeAdvertising());

        // Stage 3: unmasking shares, and the next session's key sharing (its roster sent along); then the sum.
        const nextBytes = next?.roster ? { ...bytes, [stageBytes.roster]: encodeRoster(next.roster) } : {};
        const unmaskTask = round.task(secAggTaskKinds.unmask, { request: encodeUnmaskRequest(request), ...nextBytes }, nextConfig);
        await round.exchange(request.survivors, () => unmaskTask, (reply) => {
          coordinator.receiveUnmask({ ...decodeUnmaskShares(reply.bytes?.shares), plant: reply.plantId });
          const shared = reply.bytes?.[stageBytes.nextShared];
          if (shared !== undefined && next?.roster) nextSessionStep(() => receiveShares(next.coordinator, reply, shared));
        });
        const result: SecAggResult = coordinator.finish();
        if (next?.roster) {
          const nextDeliveries = nextSessionStep(() => next.coordinator.closeSharing());
          prepared = nextDeliveries === null ? null : { session: next.session, coordinator: next.coordinator, deliveries: nextDeliveries };
        }

        const sums = decodeSum(codecs, codecsFor(codecs, plantIds.length), result.sum);
        const count = Math.round(sums[EXAMPLES_ENTRY][0]);
        delete sums[EXAMPLES_ENTRY];
        return { sums, count, contributors: result.contributors, failures: round.failures };
      } catch (e) {
        throw withPlantFailures(e, round.failures);
      }
    },
  };
}

/**
 * A step of setting up the next session (taking a plant's keys or shares, closing a stage), or null
 * when it fails (bad keys or shares, too few plants): a plant's bad message costs it only that
 * session's shortcut, a stage that cannot close leaves the session unprepared (it then starts over
 * at key advertising), and this session goes on regardless.
 */
function nextSessionStep<T>(step: () => T): T | null {
  try {
    return step();
  } catch {
    return null;
  }
}

/** A plant's sealed shares (`bytes` of its reply) into `coordinator`. */
function receiveShares(coordinator: SecAggCoordinator, reply: ReplyOk, bytes: Uint8Array | undefined): void {
  coordinator.receiveShares({ ...decodeSharedKeys(bytes), plant: reply.plantId });
}

/** The exchanges of one session over a grid, and the plants' failures they collected. */
class SessionRound {
  readonly failures: ReplyFailure[] = [];

  constructor(
    private readonly grid: Grid,
    private readonly sendOptions: SendOptions,
    readonly sample: TaskMessage,
    private readonly session: string,
    private readonly cohort: number,
  ) {}

  /** Records a plant's failure: a failure reply, or a reply `accept` could not take. */
  fail(plantId: string, e: unknown): void {
    const { kind, runId, round } = this.sample;
    this.failures.push({ ok: false, kind, runId, round, plantId, failure: { code: isCrucibleError(e) ? e.code : 'MESSAGE_MALFORMED', message: e instanceof Error ? e.message : String(e) } });
  }

  /** Sends one stage's tasks and hands each good reply to `accept`; everything else is a dropout. */
  async exchange(ids: readonly string[], make: (id: string) => TaskMessage, accept: (reply: ReplyOk) => void): Promise<void> {
    for await (const reply of this.grid.send(ids, make, this.sendOptions)) {
      if (!reply.ok) {
        this.failures.push(reply);
        continue;
      }
      try {
        accept(reply);
      } catch (e) {
        this.fail(reply.plantId, e);
      }
    }
  }

  /** A stage task's config: the session and the cohort size, then `extra`. */
  config(extra: Record<string, string> = {}): ConfigRecord {
    return { secaggSession: this.session, secaggCohort: this.cohort, ...extra };
  }

  /** A stage task without an inner task. */
  task(kind: string, bytes: Record<string, Uint8Array>, config: Record<string, string> = {}): TaskMessage {
    const { runId, round } = this.sample;
    return { kind, runId, round, config: this.config(config), arrays: {}, bytes };
  }
}

/**
 * Stage 2: collects the masked inputs, keeps those of the layout most plants report, and returns its
 * codecs; hands the next session's keys in a reply to `nextKeys`.
 */
async function maskedInputs(
  round: SessionRound, coordinator: SecAggCoordinator, deliveries: Map<string, ShareDelivery>, task: (id: string) => TaskMessage,
  policy: CodecPolicy, cohort: number, nextKeys: (reply: ReplyOk, keys: Uint8Array) => void,
): Promise<CodecEntry[]> {
  const inputs = new Map<string, { masked: MaskedInput; layout: string }>();
  await round.exchange([...deliveries.keys()], task, (reply) => {
    inputs.set(reply.plantId, { masked: decodeMaskedInput(reply.plantId, reply.bytes?.masked), layout: JSON.stringify(decodeJson(reply.bytes?.layout, 'layout')) });
    const keys = reply.bytes?.[stageBytes.nextKeys];
    if (keys !== undefined) nextKeys(reply, keys);
  });
  const layout = agreedLayout(inputs, (plant, why) => round.fail(plant, new CrucibleError('UPDATE_REJECTED', why)));
  const codecs = chooseCodecs(layout, policy, cohort);
  for (const [plant, { masked }] of inputs) {
    try {
      if (masked.masked.length !== layoutLength(codecs)) throw new CrucibleError('UPDATE_REJECTED', `plant ${plant}: masked input has ${masked.masked.length} words, its layout ${layoutLength(codecs)}`);
      coordinator.receiveMasked(masked);
    } catch (e) {
      round.fail(plant, e);
    }
  }
  return codecs;
}

/** The keys in a reply, which must be the replying plant's own. */
function advertisedBy(reply: ReplyOk, bytes: Uint8Array | undefined): AdvertisedKeys {
  const keys = decodeAdvertisedKeys(bytes);
  if (keys.plant !== reply.plantId) throw new CrucibleError('PLANT_IDENTITY_MISMATCH', `plant ${reply.plantId} advertised keys for ${keys.plant}`);
  return keys;
}

/** An abort below threshold, with why the missing plants failed (the first few) in its message. */
function withPlantFailures(e: unknown, failures: readonly ReplyFailure[]): unknown {
  if (!isCrucibleError(e, 'SECAGG_BELOW_THRESHOLD') || failures.length === 0) return e;
  const shown = failures.slice(0, 3).map((f) => `${f.plantId}: ${f.failure.code} ${f.failure.message}`).join('; ');
  const more = failures.length > 3 ? `; and ${failures.length - 3} more` : '';
  return new CrucibleError('SECAGG_BELOW_THRESHOLD', `${e.message} (plant failures: ${shown}${more})`, e.details);
}

/** The layout most plants report; plants reporting another are dropped (their input cannot be summed). */
function agreedLayout(reported: Map<string, { layout: string }>, reject: (plant: string, why: string) => void): LayoutEntry[] {
  const votes = new Map<string, number>();
  for (const { layout } of reported.values()) votes.set(layout, (votes.get(layout) ?? 0) + 1);
  const winner = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '[]';
  for (const [plant, { layout }] of [...reported]) {
    if (layout !== winner) {
      reported.delete(plant);
      reject(plant, `plant ${plant} replied with arrays ${layout}, the other plants with ${winner}`);
    }
  }
  return JSON.parse(winner) as LayoutEntry[];
}
