/**
 * Buffers that a model reuses for the internal activations of its forward passes (e.g. the hidden
 * layers of an MLP, which no caller ever sees), instead of allocating them afresh every step: V8
 * zero-fills and tracks every large typed array, which for small networks costs as much as the
 * arithmetic.
 *
 * The rule is PyTorch's: once a backward pass has gone through a forward pass, that pass' internal
 * buffers may be reused by the model's next forward pass, and back-propagating through the old pass
 * again then throws (a generation count per buffer) instead of reading overwritten values. A pass
 * that no backward ever reaches keeps its buffers (a FinalizationRegistry to get them back cost more
 * in garbage collection than the reuse saves); past a few such passes the model allocates as before.
 */

/** One reusable buffer; `generation` counts its uses. */
export class ActivationSlot {
  generation = 0;
  /** Whether a forward pass' tape may still read it. */
  busy = false;
  constructor(readonly data: Float64Array) {}
}

/** What a tensor holding an `ActivationSlot`'s buffer knows of it: which use it is. */
export interface ActivationLease {
  readonly slot: ActivationSlot;
  readonly generation: number;
}

/** A lease on `slot` for a new use (the slot must be free). */
export function leaseSlot(slot: ActivationSlot): ActivationLease {
  slot.generation++;
  slot.busy = true;
  return { slot, generation: slot.generation };
}

/** Whether the lease's buffer still holds the values of its own use. */
export function leaseValid(lease: ActivationLease): boolean {
  return lease.slot.generation === lease.generation;
}

/** Frees the lease's buffer for reuse, if it is still that use's. */
export function releaseLease(lease: ActivationLease): void {
  if (leaseValid(lease)) lease.slot.busy = false;
}

/**
 * Per model: free buffers by length, at most `maxPerLength` of each (a tape that is never
 * back-propagated holds its buffers; beyond the cap the model allocates).
 */
export class ActivationSlots {
  private readonly byLength = new Map<number, ActivationSlot[]>();

  constructor(private readonly maxPerLength = 4) {}

  /** A lease on a free buffer of `length` values, or null when all are in use (then allocate). */
  take(length: number): ActivationLease | null {
    let slots = this.byLength.get(length);
    if (slots === undefined) this.byLength.set(length, (slots = []));
    for (const slot of slots) if (!slot.busy) return leaseSlot(slot);
    if (slots.length >= this.maxPerLength) return null;
    const slot = new ActivationSlot(new Float64Array(length));
    slots.push(slot);
    return leaseSlot(slot);
  }
}
