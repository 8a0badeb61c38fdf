/**
 * Test support: a store file in `dir` with `plantIds` enrolled, and each plant's token written to
 * `<dir>/<plantId>.token` (what `crucible enroll` leaves for a plant.yaml's `token:`).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CrucibleStore } from '../../store/store.js';
import { issuePlantToken } from '../credentials.js';

export function enrolledStore(dir: string, plantIds: readonly string[], file = 'crucible.db'): void {
  const store = CrucibleStore.open(join(dir, file));
  try {
    for (const id of plantIds) {
      const { token, tokenHash } = issuePlantToken(id);
      store.plants.enroll(id, { tokenHash });
      writeFileSync(join(dir, `${id}.token`), token);
    }
  } finally {
    store.close();
  }
}
