/**
 * Turns work that reports progress through a callback into an async generator of those reports,
 * yielded while the work runs (at every point where it awaits), ending with its result. The demo's
 * long steps report this way so the CLI can draw their progress as they go, not after.
 *
 * @example
 * const result = yield* drain<Tick, Model>((emit) => train({ onEpoch: (e) => emit({ epoch: e }) }));
 */
export async function* drain<E, T>(work: (emit: (event: E) => void) => Promise<T>): AsyncGenerator<E, T, undefined> {
  const queue: E[] = [];
  let wake: (() => void) | undefined;
  let settled = false;
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  void work((event) => {
    queue.push(event);
    wake?.();
  }).then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  ).finally(() => {
    settled = true;
    wake?.();
  });
  for (;;) {
    while (queue.length > 0) yield queue.shift()!;
    if (settled) break;
    await new Promise<void>((resolve) => (wake = resolve));
    wake = undefined;
  }
  if (outcome === undefined || !outcome.ok) throw outcome?.error;
  return outcome.value;
}
