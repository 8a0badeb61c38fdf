/**
 * Secure aggregation on the coordinator's side, as a `Summation` (the federation's seam for "ask the
 * plants for vectors, learn only their sum"): it drives the SecAgg coordinator state machine over a
 * `Grid` — any grid, in-memory or gRPC — in four send/collect exchanges, one per stage. Plants that
 * fail or time out at a stage are dropouts; the round completes while enough remain and throws
 * SECAGG_BELOW_THRESHOLD otherwise.
 *
 * The plants start the inner task (their training) in the first stage and answer the two setup
 * stages while it runs; the masked-input stage collects each plant's input once it has trained. The
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
import type { ReplyFailure, ReplyOk, TaskMessage } from '../../federation/messages.js';
import type { SumOutcome, Summation } from '../../federation/summation.js';
import { SecAggCoordinator, type SecAggResult } from './coordinator.js';
import { type Entropy, systemEntropy } from './entropy.js';
import { type CodecEntry, type CodecPolicy, EXAMPLES_ENTRY, type LayoutEntry, chooseCodecs, codecsFor, decodeSum, layoutLength } from './layout.js';
import type { AdvertisedKeys, MaskedInput, ShareDelivery } from './messages.js';
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
   * Ask plants, in the unmasking stage, for their keys for this summation's next session, so it
   * starts at key sharing. Default true; off for a summation used once (its plants would hold keys
   * for a session that never comes).
   */
  advertiseNext?: boolean;
}

/** A `Summation` whose result is the output of a SecAgg(+) round (see the file comment). */
export interface SecureSummation extends Summation {
  sum(grid: Grid, plantIds: readonly string[], task: TaskMessage | ((plantId: string) => TaskMessage), options: SendOptions): Promise<SumOutcome>;
}

/** Keys the plants advertised, at the end of the previous session, for the next one. */
interface PreparedSession {
  readonly session: string;
  readonly keys: ReadonlyMap<string, AdvertisedKeys>;
}

export function secureSummation(options: SecureSummationOptions): SecureSummation {
  const entropy = options.entropy ?? systemEntropy;
  let sessions = 0;
  let prepared: PreparedSession | null = null;
  const newSession = (sample: TaskMessage) => `${sample.runId}/${sample.kind}/${++sessions}-${Buffer.from(entropy(6)).toString('hex')}`;
  return {
    async sum(grid, plantIds, task, sendOptions) {
      const taskFor = typeof task === 'function' ? task : () => task;
      const sample = taskFor(plantIds[0] ?? '');
      // Stage 0 was done early if every plant of this cohort advertised keys for the prepared session.
      const early = prepared !== null && plantIds.every((id) => prepared!.keys.has(id)) ? prepared : null;
      prepared = null;
      const session = early?.session ?? newSession(sample);
      const round = new SessionRound(grid, sendOptions, sample, session, plantIds.length);
      const policy: CodecPolicy = {
        clipRange: options.clipRange, scale: options.scale, exampleCap: options.exampleCap,
        maxExamples: options.maxExamplesPerPlant ?? Math.floor((2 ** 31 - 1) / Math.max(1, plantIds.length)),
      };
      const coordinator = new SecAggCoordinator({
        round: session, cohortSize: plantIds.length,
        variant: options.variant, degree: options.degree, threshold: options.threshold, minimumPlants: options.minimumPlants, entropy,
      });
      try {
        // Stage 0: keys — advertised early, or now with the inner task, which each plant then starts.
        if (early !== null) for (const id of plantIds) coordinator.receiveKeys(early.keys.get(id)!);
        else {
          await round.exchange(plantIds, (id) => wrapInnerTask(taskFor(id), { session }), (reply) => coordinator.receiveKeys(advertisedBy(reply, reply.bytes?.keys)));
        }
        const roster = coordinator.closeAdvertising();

        // Stage 1: sealed shares, relayed unread; carries the inner task if stage 0 did not.
        const bytes = { [stageBytes.roster]: encodeRoster(roster), [stageBytes.policy]: encodeCodecPolicy(policy) };
        const shareTask = round.task(secAggTaskKinds.share, bytes);
        await round.exchange(
          roster.plants.map((p) => p.plant),
          early === null ? () => shareTask : (id) => wrapInnerTask(taskFor(id), { session, kind: secAggTaskKinds.share, config: shareTask.config, bytes }),
          (reply) => coordinator.receiveShares({ ...decodeSharedKeys(reply.bytes?.shared), plant: reply.plantId }),
        );
        const deliveries = coordinator.closeSharing();

        // Stage 2: masked inputs, each once its plant has trained, with the layout it was encoded in.
        const codecs = await maskedInputs(round, coordinator, deliveries, policy, plantIds.length);
        const request = coordinator.closeMasking();

        // Stage 3: unmasking shares, and the plants' keys for the next session; then the sum.
        const next = options.advertiseNext === false ? null : newSession(sample);
        const nextKeys = new Map<string, AdvertisedKeys>();
        const unmaskTask = round.task(secAggTaskKinds.unmask, { request: encodeUnmaskRequest(request) }, next === null ? {} : { secaggNextSession: next });
        await round.exchange(request.survivors, () => unmaskTask, (reply) => {
          coordinator.receiveUnmask({ ...decodeUnmaskShares(reply.bytes?.shares), plant: reply.plantId });
          const keys = reply.bytes?.[stageBytes.nextKeys];
          if (keys !== undefined) nextKeys.set(reply.plantId, advertisedBy(reply, keys));
        });
        const result: SecAggResult = coordinator.finish();
        prepared = next === null ? null : { session: next, keys: nextKeys };

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

  /** A stage task without an inner task. */
  task(kind: string, bytes: Record<string, Uint8Array>, config: Record<string, string> = {}): TaskMessage {
    const { runId, round } = this.sample;
    return { kind, runId, round, config: { secaggSession: this.session, secaggCohort: this.cohort, ...config }, arrays: {}, bytes };
  }
}

/** Stage 2: collects the masked inputs, keeps those of the layout most plants report, and returns its codecs. */
async function maskedInputs(round: SessionRound, coordinator: SecAggCoordinator, deliveries: Map<string, ShareDelivery>, policy: CodecPolicy, cohort: number): Promise<CodecEntry[]> {
  const inputs = new Map<string, { masked: MaskedInput; layout: string }>();
  await round.exchange([...deliveries.keys()], (id) => round.task(secAggTaskKinds.mask, { delivery: encodeShareDelivery(deliveries.get(id)!) }), (reply) =>
    inputs.set(reply.plantId, { masked: decodeMaskedInput(reply.plantId, reply.bytes?.masked), layout: JSON.stringify(decodeJson(reply.bytes?.layout, 'layout')) }),
  );
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
