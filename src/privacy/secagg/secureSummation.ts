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
import { type CodecPolicy, EXAMPLES_ENTRY, type LayoutEntry, chooseCodecs, codecsFor, decodeSum, layoutLength } from './layout.js';
import type { MaskedInput } from './messages.js';
import { secAggTaskKinds, wrapInnerTask } from './tasks.js';
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
      const policy: CodecPolicy = {
        clipRange: options.clipRange, scale: options.scale, exampleCap: options.exampleCap,
        maxExamples: options.maxExamplesPerPlant ?? Math.floor((2 ** 31 - 1) / Math.max(1, plantIds.length)),
      };
      const coordinator = new SecAggCoordinator({
        round: session, cohortSize: plantIds.length,
        variant: options.variant, degree: options.degree, threshold: options.threshold, minimumPlants: options.minimumPlants, entropy,
      });
      try {
        // Stage 0: the inner task starts at each plant, which answers at once with fresh keys.
        await exchange(plantIds, (id) => wrapInnerTask(taskFor(id), { session }), (reply) => {
          const keys = decodeAdvertisedKeys(reply.bytes?.keys);
          if (keys.plant !== reply.plantId) throw new CrucibleError('PLANT_IDENTITY_MISMATCH', `plant ${reply.plantId} advertised keys for ${keys.plant}`);
          coordinator.receiveKeys(keys);
        });
        const roster = coordinator.closeAdvertising();

        // Stage 1: sealed shares, relayed unread (plants are still training).
        const rosterTask = stageTask(secAggTaskKinds.share, { roster: encodeRoster(roster), policy: encodeCodecPolicy(policy) });
        await exchange(roster.plants.map((p) => p.plant), () => rosterTask, (reply) => coordinator.receiveShares({ ...decodeSharedKeys(reply.bytes?.shared), plant: reply.plantId }));
        const deliveries = coordinator.closeSharing();

        // Stage 2: masked inputs, each once its plant has trained, with the layout it was encoded in.
        const inputs = new Map<string, { masked: MaskedInput; layout: string }>();
        await exchange([...deliveries.keys()], (id) => stageTask(secAggTaskKinds.mask, { delivery: encodeShareDelivery(deliveries.get(id)!) }), (reply) =>
          inputs.set(reply.plantId, { masked: decodeMaskedInput(reply.plantId, reply.bytes?.masked), layout: JSON.stringify(decodeJson(reply.bytes?.layout, 'layout')) }),
        );
        const layout = agreedLayout(inputs, (plant, why) => fail({ ...sample, plantId: plant }, new CrucibleError('UPDATE_REJECTED', why)));
        const codecs = chooseCodecs(layout, policy, plantIds.length);
        const fixedPoints = codecsFor(codecs, plantIds.length);
        for (const [plant, { masked }] of inputs) {
          try {
            if (masked.masked.length !== layoutLength(codecs)) throw new CrucibleError('UPDATE_REJECTED', `plant ${plant}: masked input has ${masked.masked.length} words, its layout ${layoutLength(codecs)}`);
            coordinator.receiveMasked(masked);
          } catch (e) {
            fail({ ...sample, plantId: plant }, e);
          }
        }
        const request = coordinator.closeMasking();

        // Stage 3: unmasking shares; then the sum.
        const requestTask = stageTask(secAggTaskKinds.unmask, { request: encodeUnmaskRequest(request) });
        await exchange(request.survivors, () => requestTask, (reply) => coordinator.receiveUnmask({ ...decodeUnmaskShares(reply.bytes?.shares), plant: reply.plantId }));
        const result: SecAggResult = coordinator.finish();

        const sums = decodeSum(codecs, fixedPoints, result.sum);
        const count = Math.round(sums[EXAMPLES_ENTRY][0]);
        delete sums[EXAMPLES_ENTRY];
        return { sums, count, contributors: result.contributors, failures };
      } catch (e) {
        throw withPlantFailures(e, failures);
      }
    },
  };
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
