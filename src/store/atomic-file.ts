/**
 * The one way Crucible writes a file that must never be seen half-written (plant data, models,
 * reports, results): a temporary file in the same folder, flushed to disk, then renamed over the
 * target (rename within one file system is atomic on POSIX).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `parts` (text or bytes, produced lazily, so a large file never sits in memory whole) to `path`
 * through a temporary file and a rename. Creates the folder if needed.
 *
 * @example
 * await writeFileAtomic('out/a.txt', ['hello\n']);
 */
export async function writeFileAtomic(path: string, parts: Iterable<string | Uint8Array>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'w');
  try {
    let pending = '';
    for (const part of parts) {
      if (typeof part !== 'string') {
        if (pending.length > 0) await handle.write(pending);
        pending = '';
        await handle.write(part);
        continue;
      }
      pending += part;
      if (pending.length >= 1 << 20) {
        await handle.write(pending);
        pending = '';
      }
    }
    if (pending.length > 0) await handle.write(pending);
    await handle.sync();
    await handle.close();
    await rename(tmp, path);
  } catch (e) {
    await handle.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw e;
  }
}
