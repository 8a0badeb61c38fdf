/**
 * Secure aggregation on the coordinator's side, as a `Summation` (the federation's seam for "ask the
 * plants for vectors, learn only their sum"): it drives the SecAgg coordinator state machine over a
 * `Grid` — any grid, in-memory or gRPC — in four send/collect exchanges, one per stage. Plants that
 * fail or time out at a stage are dropouts; the round completes while enough remain and throws
 * SECAGG_BELOW_THRESHOLD otherwise.
 *
 * The coordinator chooses a fixed-point codec per array (from `clipRange` and the cohort size) and
 * sends it with the roster; each plant re-checks its bit budget before masking.
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
import { FixedPoint } from './fixedPoint.js';
import { type CodecEntry, EXAMPLES_ENTRY, type LayoutEntry, WEIGHT_ENTRY, codecsFor, decodeSum, layoutLength } from './layout.js';
import type { AdvertisedKeys } from './messages.js';
import { secAggTaskKinds, wrapInnerTask } from './tasks.js';
import {
  decodeAdvertisedKeys,
  decodeJson,
  decodeMaskedInput,
  decodeSharedKeys,
  decodeUnmaskShares,
  encodeJson,
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
}

/** A `Summation` whose result is the output of a SecAgg(+) round (see the file comment). */
export interface SecureSummation extends Summation {
  sum(grid: Grid, plantIds: readonly string[], task: TaskMessage | ((plantId: string) => TaskMessage), options: SendOptions): Promise<SumOutcome>;
}

export function secureSummation(options: SecureSummationOptions): SecureSummation {
  const entropy = options.entropy ?? systemEntropy;
  let sessions = 0;
  return {
    async sum(grid, plantIds, task, sendOptions) {
      const taskFor = typeof task === 'function' ? task : () => task;
      const sample = taskFor(plantIds[0] ?? '');
      const session = `${sample.runId}/${sample.round}/${sample.kind}/${++sessions}-${Buffer.from(entropy(6)).toString('hex')}`;
      const failures: ReplyFailure[] = [];
      const fail = (reply: Pick<ReplyOk, 'kind' | 'runId' | 'round' | 'plantId'>, e: unknown) =>
        failures.push({ ok: false, kind: reply.kind, runId: reply.runId, round: reply.round, plantId: reply.plantId, failure: { code: isCrucibleError(e) ? e.code : 'MESSAGE_MALFORMED', message: e instanceof Error ? e.message : String(e) } });
      const exchange = async (ids: readonly string[], make: (id: string) => TaskMessage, accept: (reply: ReplyOk) => void) => {
        for await (const reply of grid.send(ids, make, sendOptions)) {
          if (!reply.ok) {
            failures.push(reply);
            continue;
          }
          try {
            accept(reply);
          } catch (e) {
            fail(reply, e);
          }
        }
      };
      const stageTask = (kind: string, bytes: Record<string, Uint8Array>): TaskMessage => ({
        kind, runId: sample.runId, round: sample.round, config: { secaggSession: session, secaggCohort: plantIds.length }, arrays: {}, bytes,
      });

      // Stage 0: the inner task runs at each plant; keys and array layouts come back.
      const advertised = new Map<string, { keys: AdvertisedKeys; layout: string }>();
      await exchange(plantIds, (id) => wrapInnerTask(taskFor(id), { session, exampleCap: options.exampleCap }), (reply) => {
        const keys = decodeAdvertisedKeys(reply.bytes?.keys);
        if (keys.plant !== reply.plantId) throw new CrucibleError('PLANT_IDENTITY_MISMATCH', `plant ${reply.plantId} advertised keys for ${keys.plant}`);
        advertised.set(reply.plantId, { keys, layout: JSON.stringify(decodeJson(reply.bytes?.layout, 'layout')) });
      });
      const layout = agreedLayout(advertised, (plant, why) => fail({ ...sample, plantId: plant }, new CrucibleError('UPDATE_REJECTED', why)));
      const codecs = chooseCodecs(layout, plantIds.length, options);
      const fixedPoints = codecsFor(codecs, plantIds.length);
      const coordinator = new SecAggCoordinator({
        round: session, vectorLength: layoutLength(codecs), cohortSize: plantIds.length,
        variant: options.variant, degree: options.degree, threshold: options.threshold, minimumPlants: options.minimumPlants, entropy,
      });
      for (const { keys } of advertised.values()) coordinator.receiveKeys(keys);
      const roster = coordinator.closeAdvertising();
      const u1 = roster.plants.map((p) => p.plant);

      // Stage 1: sealed shares, relayed unread.
      const rosterTask = stageTask(secAggTaskKinds.share, { roster: encodeRoster(roster), codecs: encodeJson({ entries: codecs }) });
      await exchange(u1, () => rosterTask, (reply) => coordinator.receiveShares({ ...decodeSharedKeys(reply.bytes?.shared), plant: reply.plantId }));
      const deliveries = coordinator.closeSharing();

      // Stage 2: masked inputs.
      await exchange([...deliveries.keys()], (id) => stageTask(secAggTaskKinds.mask, { delivery: encodeShareDelivery(deliveries.get(id)!) }), (reply) =>
        coordinator.receiveMasked(decodeMaskedInput(reply.plantId, reply.bytes?.masked)),
      );
      const request = coordinator.closeMasking();

      // Stage 3: unmasking shares; then the sum.
      const requestTask = stageTask(secAggTaskKinds.unmask, { request: encodeUnmaskRequest(request) });
      await exchange(request.survivors, () => requestTask, (reply) => coordinator.receiveUnmask({ ...decodeUnmaskShares(reply.bytes?.shares), plant: reply.plantId }));
      const result: SecAggResult = coordinator.finish();

      const sums = decodeSum(codecs, fixedPoints, result.sum);
      const count = Math.round(sums[EXAMPLES_ENTRY][0]);
      delete sums[EXAMPLES_ENTRY];
      return { sums, count, contributors: result.contributors, failures };
    },
  };
}

/** The layout most plants report; plants reporting another are dropped (their reply cannot be summed). */
function agreedLayout(advertised: Map<string, { layout: string }>, reject: (plant: string, why: string) => void): LayoutEntry[] {
  const votes = new Map<string, number>();
  for (const { layout } of advertised.values()) votes.set(layout, (votes.get(layout) ?? 0) + 1);
  const winner = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '[]';
  for (const [plant, { layout }] of [...advertised]) {
    if (layout !== winner) {
      advertised.delete(plant);
      reject(plant, `plant ${plant} replied with arrays ${layout}, the other plants with ${winner}`);
    }
  }
  return JSON.parse(winner) as LayoutEntry[];
}

function chooseCodecs(layout: readonly LayoutEntry[], cohort: number, options: SecureSummationOptions): CodecEntry[] {
  const clipOf = (name: string): number => {
    const c = typeof options.clipRange === 'number' ? options.clipRange : options.clipRange[name];
    if (c === undefined) throw new RangeError(`secureSummation: no clipRange for array '${name}' (have ${Object.keys(options.clipRange).join(', ')})`);
    return c;
  };
  const entry = (name: string, length: number, clipRange: number, scale?: number): CodecEntry => ({
    name, length, clipRange, scale: scale ?? new FixedPoint({ clipRange, plants: cohort }).scale,
  });
  const maxExamples = options.maxExamplesPerPlant ?? Math.floor((2 ** 31 - 1) / cohort);
  const codecs = layout.map((e) => entry(e.name, e.length, clipOf(e.name), options.scale?.[e.name]));
  codecs.push(entry(EXAMPLES_ENTRY, 1, maxExamples, 1));
  if (options.exampleCap !== undefined) codecs.push(entry(WEIGHT_ENTRY, 1, 1));
  return codecs;
}
