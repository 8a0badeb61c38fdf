/**
 * Domain failures carry a code from this one table; it maps each code to a gRPC status and a CLI
 * exit code in one place. Misuse of an API throws the built-in TypeError/RangeError instead.
 *
 * Add a code here (with its mapping) rather than inventing one elsewhere.
 */
export const errorCodes = {
  // data
  DATA_INVALID: { grpc: 3, exit: 65, summary: 'input data failed validation' },
  CONFIG_INVALID: { grpc: 3, exit: 78, summary: 'a configuration file or option is invalid' },
  // federation
  PLANT_UNAUTHENTICATED: { grpc: 16, exit: 77, summary: 'the plant presented no valid credential' },
  PLANT_REVOKED: { grpc: 7, exit: 77, summary: 'the plant credential was revoked' },
  PLANT_IDENTITY_MISMATCH: { grpc: 7, exit: 77, summary: 'a plant submitted for another plant' },
  UPDATE_REJECTED: { grpc: 3, exit: 70, summary: 'an update was malformed, non-finite, of the wrong length or stale' },
  MESSAGE_MALFORMED: { grpc: 3, exit: 70, summary: 'a message could not be decoded' },
  MESSAGE_TOO_LARGE: { grpc: 8, exit: 70, summary: 'a message exceeded the size limit' },
  ROUND_STALE: { grpc: 9, exit: 70, summary: 'a result arrived for a round that is no longer open' },
  DUPLICATE_SUBMISSION: { grpc: 6, exit: 70, summary: 'a plant submitted twice in one round' },
  QUORUM_NOT_REACHED: { grpc: 4, exit: 75, summary: 'too few plants answered before the timeout' },
  COORDINATOR_UNAVAILABLE: { grpc: 14, exit: 69, summary: 'the coordinator could not be reached' },
  PLANT_TIMEOUT: { grpc: 4, exit: 75, summary: 'a plant did not answer its task before the stage timeout' },
  PLANT_DISCONNECTED: { grpc: 14, exit: 69, summary: 'a plant disconnected while it had a task open' },
  PLANT_TASK_FAILED: { grpc: 13, exit: 70, summary: 'a plant could not carry out its task (reported by the plant)' },
  CHECKPOINT_MISMATCH: { grpc: 9, exit: 78, summary: 'a stored checkpoint does not fit the run being resumed' },
  // privacy
  SECAGG_BELOW_THRESHOLD: { grpc: 9, exit: 75, summary: 'too few plants remain for secure aggregation to unmask' },
  SECAGG_TAMPERED: { grpc: 3, exit: 70, summary: 'a secret share or ciphertext failed authentication' },
  SECAGG_UNSAFE_PARAMETERS: { grpc: 3, exit: 78, summary: 'quantization range times plants exceeds the modulus' },
  BUDGET_EXHAUSTED: { grpc: 9, exit: 0, summary: 'the next round would exceed the privacy budget' },
  SECAGG_REQUIRED: { grpc: 7, exit: 77, summary: 'the plant releases updates only under secure aggregation' },
  // optimization and flowsheets
  INFEASIBLE: { grpc: 9, exit: 2, summary: 'no point satisfies the constraints' },
  NOT_CONVERGED: { grpc: 13, exit: 3, summary: 'an iterative solver did not converge within its limits' },
  SINGULAR_MATRIX: { grpc: 9, exit: 3, summary: 'a linear system is singular to working precision' },
  // demo and CLI orchestration
  PROCESS_FAILED: { grpc: 13, exit: 70, summary: 'a coordinator or plant process the demo started exited before the run completed' },
} as const satisfies Record<string, { grpc: number; exit: number; summary: string }>;

export type ErrorCode = keyof typeof errorCodes;

/**
 * A domain failure with a code from `errorCodes` and optional structured details
 * (the plant, round, file, row, column, unit or stream concerned).
 *
 * @example
 * throw new CrucibleError('QUORUM_NOT_REACHED', 'round 4: 1 of 2 required plants answered in 30000 ms', { round: 4 });
 */
export class CrucibleError extends Error {
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = 'CrucibleError';
    this.code = code;
    this.details = details;
  }

  /** The gRPC status code for this failure. */
  get grpcStatus(): number {
    return errorCodes[this.code].grpc;
  }

  /** The CLI exit code for this failure. */
  get exitCode(): number {
    return errorCodes[this.code].exit;
  }
}

/** Whether `e` is a CrucibleError, optionally with the given code. */
export function isCrucibleError(e: unknown, code?: ErrorCode): e is CrucibleError {
  return e instanceof CrucibleError && (code === undefined || e.code === code);
}
