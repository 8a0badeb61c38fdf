/**
 * Reuse of the gradient buffers of intermediate tensors across backward passes. `backward` releases
 * an intermediate's gradient as soon as its rule has passed it on (see autodiff.ts); allocating a
 * fresh Float64Array of the same size again next step costs more than the arithmetic for small
 * networks (V8 zero-fills and tracks every large backing store), so released buffers wait here, by
 * length, for the next `Tensor.ensureGrad`.
 *
 * Only buffers handed out by `zeroedBuffer` come back (a gradient array set by hand is never taken
 * over), and the pool holds at most a bounded number of bytes.
 */

/** Buffers shorter than this are allocated inside V8's heap anyway, as cheap as a pool. */
const MIN_LENGTH = 16;
/** At most this many idle buffers of one length… */
const MAX_PER_LENGTH = 16;
/** …and this many idle bytes in all. */
const MAX_BYTES = 64 * 2 ** 20;

const idle = new Map<number, Float64Array[]>();
const issued = new WeakSet<Float64Array>();
let idleBytes = 0;

/** A zeroed buffer of `length` values: a released one if any waits, else a new one. */
export function zeroedBuffer(length: number): Float64Array {
  if (length < MIN_LENGTH) return new Float64Array(length);
  const stack = idle.get(length);
  const reused = stack?.pop();
  if (reused !== undefined) {
    idleBytes -= reused.byteLength;
    reused.fill(0);
    return reused;
  }
  const fresh = new Float64Array(length);
  issued.add(fresh);
  return fresh;
}

/** Gives back a buffer from `zeroedBuffer` that nothing references any more (others are ignored). */
export function releaseBuffer(buffer: Float64Array): void {
  if (buffer.length < MIN_LENGTH || !issued.has(buffer) || idleBytes + buffer.byteLength > MAX_BYTES) return;
  let stack = idle.get(buffer.length);
  if (stack === undefined) idle.set(buffer.length, (stack = []));
  if (stack.length >= MAX_PER_LENGTH) return;
  stack.push(buffer);
  idleBytes += buffer.byteLength;
}
