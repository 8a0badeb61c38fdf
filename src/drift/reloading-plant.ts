/**
 * A plant that reloads its data when a new run starts: its pipeline is rebuilt (data re-read and
 * split again) on the first task of a run it has not seen, so a retraining run started by the
 * coordinator after drift trains on the plant's CURRENT data — the historian file has grown since
 * the first run. Drift tasks, which name the deployed run, do not count as a new run; the drift
 * monitor lives in handlers that survive the rebuild. (Middleware state such as a hybrid model's
 * plant-specific parameters starts afresh with the new run.)
 *
 * @example
 * const handle = reloadingPlant(createPlant(options), async () => createPlant({ ...options, data: await load() }));
 * connectPlant(handle, connectionOptions);
 */
import { failureReply } from '../federation/messages.js';
import type { Plant, PlantHandler } from '../federation/plant.js';

const DRIFT_KINDS = new Set(['drift', 'drift-reset']);

/** The handler of `initial`, switching to `rebuild()` when a task of a new run arrives. */
export function reloadingPlant(initial: Plant, rebuild: () => Promise<Plant>): PlantHandler {
  let plant = initial;
  let runId: string | undefined;
  let pending: Promise<Plant> | undefined;
  return async (task) => {
    if (!DRIFT_KINDS.has(task.kind) && task.runId !== runId) {
      if (runId !== undefined) {
        // Concurrent tasks of the new run wait for the same rebuild.
        pending ??= rebuild();
        try {
          plant = await pending;
        } catch (e) {
          return failureReply(task, plant.plantId, { code: 'PLANT_TASK_FAILED', message: `plant '${plant.plantId}' could not reload its data for run '${task.runId}': ${e instanceof Error ? e.message : String(e)}` });
        } finally {
          pending = undefined;
        }
      }
      runId = task.runId;
    }
    return plant.handle(task);
  };
}
