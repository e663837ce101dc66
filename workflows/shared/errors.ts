/**
 * Failure taxonomy (失败分类). Every ApplicationFailure the engine raises carries one of these
 * types, so workflows, the CLI and the HTTP API can tell a permanent fault (fix the input) from a
 * transient one (retry) without parsing messages. Messages are Chinese because people read them.
 */
export const FailureType = {
  /** Input failed validation (plan, update arguments, uploaded file). Never retried. */
  InvalidInput: 'InvalidInput',
  /** The caller's role or county scope does not allow the action. */
  Forbidden: 'Forbidden',
  /** The action does not fit the current state (approving twice, acting on a finished visit). */
  InvalidState: 'InvalidState',
  /** A template failed to compile or its data lacks a variable. Permanent until the template is fixed. */
  TemplateError: 'TemplateError',
  /** A recipient was refused permanently (5xx, malformed address). */
  PermanentDeliveryFailure: 'PermanentDeliveryFailure',
  /** The mail server could not be reached or answered 4xx: retry with backoff. */
  TransientDeliveryFailure: 'TransientDeliveryFailure',
  /** A statistics file could not be read at all. */
  UnreadableFile: 'UnreadableFile',
  /** A stored file no longer matches its recorded sha256. */
  IntegrityError: 'IntegrityError',
  /** The year's programme (or another unique thing) already exists. */
  AlreadyExists: 'AlreadyExists',
  /**
   * This worker cannot serve the plan a programme was started with: its templatesDir is missing
   * here or fails the template check, or its SMTP password variable is not in the worker's
   * environment. Fixed on the worker (deploy the directory, set the variable), not by retrying.
   */
  PlanNotServable: 'PlanNotServable',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** Failure types that retrying cannot fix; used as nonRetryableErrorTypes in retry policies. */
export const PERMANENT_FAILURES: FailureType[] = [
  FailureType.InvalidInput,
  FailureType.Forbidden,
  FailureType.InvalidState,
  FailureType.TemplateError,
  FailureType.PermanentDeliveryFailure,
  FailureType.UnreadableFile,
  FailureType.IntegrityError,
  FailureType.AlreadyExists,
  FailureType.PlanNotServable,
];
