/**
 * Copies of a dense pass' operands left in wasm memory for later passes, so that they are not copied
 * in again: the backward pass reads its forward pass' input, weights and output there, and the next
 * layer's forward pass reads a model's internal activation (an `ActivationLease`d output) there.
 *
 * They live in a ring of RING_BYTES in the main thread's private memory, below the workspace (see
 * wasm.ts). A region is valid until the ring has gone round past it; a pass that finds its copy
 * overwritten (many forward passes before one backward, say) copies from the Float64Array as before.
 * The ring holds byte offsets, never views, so growing the memory (which detaches views) is harmless.
 *
 * What a backward pass reads from the ring is its forward pass' operands as they were then; the
 * Float64Arrays hold the same values unless a caller wrote into a layer's input, weights or output
 * between the two passes (the tape's rules assume nobody does).
 */
import { RING_BASE, RING_BYTES } from './wasm.js';

/** A region of the ring: `values` float64 at byte `offset`, handed out when `stamp` bytes had been. */
export interface Resident {
  readonly offset: number;
  readonly stamp: number;
  readonly values: number;
}

/** The largest region handed out: a quarter of the ring (a dense pass holds up to three). */
const MAX_BYTES = RING_BYTES / 4;

/** Bytes handed out so far (monotonic; an offset in the ring is this modulo RING_BYTES). */
let handedOut = 0;

/** A region for `values` float64 (its contents undefined), or null if it is too large for the ring. */
export function residentAlloc(values: number): Resident | null {
  const bytes = Math.ceil((values * 8) / 64) * 64;
  if (bytes > MAX_BYTES) return null;
  let at = handedOut % RING_BYTES;
  if (at + bytes > RING_BYTES) {
    handedOut += RING_BYTES - at; // the tail is skipped: regions never wrap
    at = 0;
  }
  const region = { offset: RING_BASE + at, stamp: handedOut, values };
  handedOut += bytes;
  return region;
}

/** Whether nothing handed out since has overwritten `r`. */
export function residentValid(r: Resident): boolean {
  return handedOut - r.stamp <= RING_BYTES;
}
