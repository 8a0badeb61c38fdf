/**
 * Secure aggregation on the plant's side, as middleware around its pipeline (the federation's
 * `PlantMiddleware` seam): the plant's training is untouched; what changes is what leaves the plant.
 * A fit (or statistics) task arrives wrapped in the first SecAgg stage; the middleware starts it
 * through the inner pipeline, keeps the reply at the plant, and answers the four SecAgg stages (see
 * `messages.ts`), so the only trace of its update the coordinator ever holds is masked.
 *
 * The setup stages do not depend on the update, so they run while the plant trains: the stage that
 * carries the inner task is answered at once and the training starts right after; only the
 * masked-input stage waits for the training to finish. The plant also sets up the coordinator's
 * next session during this one: it advertises the next session's keys with its masked input, and
 * shares them (with the next roster the unmasking request brings) with its unmasking shares. So in
 * steady state a round is two exchanges: the inner task with the shares addressed to the plant,
 * answered by the masked input once trained; then the unmasking.
 *
 * With `requireSecureAggregation` (default true) a plant refuses to answer a bare fit or statistics
 * task with SECAGG_REQUIRED: a coordinator cannot quietly fall back to plaintext.
 *
 * @example
 * const plant = createPlant({ plantId: 'a', data, model, middleware: [secureAggregationPlant()] });
 */
import { CrucibleError, isCrucibleError } from '../../errors.js';
import type { PlantHandler, PlantMiddleware } from '../../federation/plant.js';
import type { PlantReply, TaskMessage } from '../../federation/messages.js';
import { rotatingChannelKeys } from './channel.js';
import { type Entropy, systemEntropy } from './entropy.js';
import { type CodecPolicy, chooseCodecs, codecsFor, encodeReply, replyLayout } from './layout.js';
import { SecAggPlant } from './plant.js';
import { carriesInnerTask, secAggTaskKinds, splitInnerTask, stageBytes } from './tasks.js';
import {
  decodeCodecPolicy,
  decodeRoster,
  decodeShareDelivery,
  decodeUnmaskRequest,
  encodeAdvertisedKeys,
  encodeJson,
  encodeMaskedInput,
  encodeSharedKeys,
  encodeUnmaskShares,
} from './wire.js';

export interface SecureAggregationPlantOptions {
  /** Refuse fit and statistics tasks that arrive outside secure aggregation. Default true. */
  requireSecureAggregation?: boolean;
  /** Task kinds that may leave the plant only through secure aggregation. Default ['fit', 'statistics']. */
  protectedKinds?: readonly string[];
  /** Source of keys and seeds. Default: the OS CSPRNG. */
  entropy?: Entropy;
  /**
   * Sessions one share-channel key pair serves before the plant draws a new one (channel.ts; the
   * masking keys are fresh every session regardless). Default 10; 1 gives a fresh pair per session.
   */
  channelKeySessions?: number;
}

/** Open SecAgg rounds a plant keeps (older ones were abandoned by the coordinator). */
const MAX_OPEN_SESSIONS = 4;

interface Session {
  readonly secagg: SecAggPlant;
  /** The inner task's reply, being computed while the setup stages run (absent until the inner task arrives). */
  training?: Promise<PlantReply>;
  policy?: CodecPolicy;
  cohort?: number;
}

/** The plant-side SecAgg middleware (see the file comment). */
export function secureAggregationPlant(options: SecureAggregationPlantOptions = {}): PlantMiddleware {
  const protectedKinds = new Set(options.protectedKinds ?? ['fit', 'statistics']);
  const requireSecure = options.requireSecureAggregation ?? true;
  const entropy = options.entropy ?? systemEntropy;
  return (next, plant) => {
    const sessions = new Map<string, Session>();
    const channelKeys = rotatingChannelKeys(entropy, options.channelKeySessions);
    const ok = (task: TaskMessage, bytes: Record<string, Uint8Array>): PlantReply => ({
      ok: true, kind: task.kind, runId: task.runId, round: task.round, plantId: plant.plantId,
      numExamples: 0, metrics: {}, arrays: {}, bytes,
    });
    const session = (task: TaskMessage): Session => {
      const s = sessions.get(String(task.config.secaggSession));
      if (s === undefined) throw new CrucibleError('ROUND_STALE', `plant ${plant.plantId}: no secure aggregation session '${String(task.config.secaggSession)}' open`);
      return s;
    };
    /** A new session with fresh masking keys (channel keys rotate, see channel.ts); a round the coordinator abandoned never reaches unmasking, so only the newest are kept. */
    const open = (id: string): Session => {
      while (sessions.size >= MAX_OPEN_SESSIONS) sessions.delete(sessions.keys().next().value!);
      const s: Session = { secagg: new SecAggPlant(plant.plantId, { entropy, channel: channelKeys() }) };
      sessions.set(id, s);
      return s;
    };
    /** Stage 1 of `s` from the roster and codec policy in `task`'s bytes (a share task, or the previous session's unmasking). */
    const shareKeys = (s: Session, task: TaskMessage): Uint8Array => {
      const policy = decodeCodecPolicy(task.bytes?.[stageBytes.policy]);
      const shared = encodeSharedKeys(s.secagg.shareKeys(decodeRoster(task.bytes?.[stageBytes.roster])));
      s.policy = policy;
      s.cohort = Number(task.config.secaggCohort);
      return shared;
    };
    /** Starts the inner task on a later turn of the event loop, so the stage's reply leaves first. */
    const train = (s: Session, task: TaskMessage): void => {
      if (s.training !== undefined) throw new CrucibleError('SECAGG_TAMPERED', `plant ${plant.plantId}: a second inner task for session '${String(task.config.secaggSession)}'`);
      const { inner } = splitInnerTask(task);
      s.training = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => next(inner))
        .catch((e: unknown) => failure(inner, plant.plantId, e));
    };
    const stages: Record<string, (task: TaskMessage) => Promise<PlantReply>> = {
      [secAggTaskKinds.advertise]: async (task) => {
        const { session: id } = splitInnerTask(task);
        const s = open(id);
        const keys = encodeAdvertisedKeys(s.secagg.advertiseKeys(id));
        train(s, task);
        return ok(task, { keys });
      },
      [secAggTaskKinds.share]: async (task) => ok(task, { shared: shareKeys(session(task), task) }),
      [secAggTaskKinds.mask]: async (task) => {
        const s = session(task);
        // A session set up during the previous one: this round's inner task comes now.
        if (carriesInnerTask(task)) train(s, task);
        if (s.training === undefined) throw new CrucibleError('ROUND_STALE', `plant ${plant.plantId}: session '${String(task.config.secaggSession)}' asks for a masked input but sent no task to compute it`);
        const reply = await s.training;
        if (!reply.ok) return { ...reply, kind: task.kind };
        const layout = replyLayout(reply.arrays);
        // The plant builds (and so bit-budget-checks) its codecs itself: an unsafe scale is refused here, not trusted.
        const codecs = chooseCodecs(layout, s.policy!, s.cohort!);
        const weight = s.policy!.exampleCap === undefined ? 1 : Math.min(1, reply.numExamples / s.policy!.exampleCap);
        const words = encodeReply(codecs, codecsFor(codecs, s.cohort!), reply.arrays, { numExamples: reply.numExamples, weight }, plant.plantId);
        // The words were encoded for this message alone, so they are masked where they lie.
        const masked = s.secagg.maskedInput(decodeShareDelivery(task.bytes?.[stageBytes.delivery]), words, { inPlace: true });
        const bytes: Record<string, Uint8Array> = { masked: encodeMaskedInput(masked), layout: encodeJson(layout) };
        // The next session's keys now, so that its roster can come with this session's unmasking.
        const nextSession = nextSessionId(task);
        if (nextSession !== null && !sessions.has(nextSession)) {
          bytes[stageBytes.nextKeys] = encodeAdvertisedKeys(open(nextSession).secagg.advertiseKeys(nextSession));
        }
        return ok(task, bytes);
      },
      [secAggTaskKinds.unmask]: async (task) => {
        const s = session(task);
        sessions.delete(String(task.config.secaggSession));
        const bytes: Record<string, Uint8Array> = { shares: encodeUnmaskShares(s.secagg.unmask(decodeUnmaskRequest(task.bytes?.request))) };
        // The next session's key sharing, if its roster came along and this plant advertised for it.
        const nextSession = nextSessionId(task);
        const next = nextSession === null ? undefined : sessions.get(nextSession);
        if (nextSession !== null && next !== undefined && task.bytes?.[stageBytes.roster] !== undefined) {
          try {
            bytes[stageBytes.nextShared] = shareKeys(next, task);
          } catch {
            // A roster this plant refuses costs only the next session (the coordinator then starts it
            // over at key advertising); this session's unmasking shares still go out.
            sessions.delete(nextSession);
          }
        }
        return ok(task, bytes);
      },
    };
    const handler: PlantHandler = async (task) => {
      const stage = stages[task.kind];
      if (stage === undefined) {
        if (requireSecure && protectedKinds.has(task.kind)) {
          return failure(task, plant.plantId, new CrucibleError('SECAGG_REQUIRED', `plant ${plant.plantId} answers '${task.kind}' only under secure aggregation`));
        }
        return next(task);
      }
      try {
        return await stage(task);
      } catch (e) {
        sessions.delete(String(task.config.secaggSession));
        return failure(task, plant.plantId, e);
      }
    };
    return handler;
  };
}

/** The session a stage task asks the plant to set up next (`secaggNextSession`), or null for none. */
function nextSessionId(task: TaskMessage): string | null {
  const id = task.config.secaggNextSession;
  return typeof id === 'string' && id.length > 0 ? id : null;
}

function failure(task: Pick<TaskMessage, 'kind' | 'runId' | 'round'>, plantId: string, e: unknown): PlantReply {
  return {
    ok: false, kind: task.kind, runId: task.runId, round: task.round, plantId,
    failure: { code: isCrucibleError(e) ? e.code : 'PLANT_TASK_FAILED', message: e instanceof Error ? e.message : String(e) },
  };
}
