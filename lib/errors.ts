/**
 * The one error hierarchy of epycloud. Every error a user can cause carries a
 * stable `code` and the process `exitCode` an entrypoint should exit with.
 * Only entrypoints (CLI main, stage mains, lambda handlers) catch these.
 */
export class EpycloudError extends Error {
  /** Stable, machine-readable identifier of the failure kind. */
  readonly code: string = 'EPYCLOUD_ERROR';
  /** Exit code an entrypoint uses for this failure. */
  readonly exitCode: number = 1;
}

/** Input that breaks a rule: a bad id, a bad flag, a bad environment variable. */
export class ValidationError extends EpycloudError {
  override readonly code = 'VALIDATION';
  override readonly exitCode = 2;
}

/** A configuration file (YAML, CDK context) that fails validation; lists every problem. */
export class ConfigError extends EpycloudError {
  override readonly code = 'CONFIG';
  override readonly exitCode = 2;
  constructor(
    message: string,
    /** One line per problem: `file: path (line N): expected ...`. */
    readonly problems: readonly string[] = [],
  ) {
    super(problems.length > 0 ? `${message}\n  - ${problems.join('\n  - ')}` : message);
  }
}

/** A storage key that does not exist. */
export class NotFoundError extends EpycloudError {
  override readonly code = 'NOT_FOUND';
  override readonly exitCode = 3;
  constructor(
    /** The missing key, relative to the storage root. */
    readonly key: string,
    /** Where it was looked for, e.g. `s3://bucket` or a directory. */
    readonly location: string,
  ) {
    super(`Not found: ${key} (in ${location})`);
  }
}

/** A storage operation that failed for another reason than a missing key. */
export class StorageError extends EpycloudError {
  override readonly code = 'STORAGE';
  override readonly exitCode = 4;
}

/** A pipeline stage or task that failed (bad artifact, failed tasks, ...). */
export class StageError extends EpycloudError {
  override readonly code = 'STAGE';
  override readonly exitCode = 5;
}

/**
 * Exit code of a failure worth retrying unchanged: a service that throttled,
 * timed out or did not answer. The job definitions' retry strategy retries it
 * (`retry.transientExitCodes` must include it).
 */
export const TRANSIENT_EXIT_CODE = 6;

/** An external tool or service that is missing or did not answer (Docker, AWS). */
export class EnvironmentError extends EpycloudError {
  override readonly code = 'ENVIRONMENT';
  override readonly exitCode = TRANSIENT_EXIT_CODE;
}

/**
 * A request that a service throttled (S3 503 SlowDown, 429), failed with a
 * server error (500 InternalError) or that timed out, after the SDK's own
 * retries: a later attempt may succeed, so it exits with the transient code.
 */
export class TransientError extends EpycloudError {
  override readonly code = 'TRANSIENT';
  override readonly exitCode = TRANSIENT_EXIT_CODE;
}

/** Another epycloud process holds the run (local mode's run lock); the message names the holder. */
export class BusyError extends EpycloudError {
  override readonly code = 'BUSY';
  override readonly exitCode = 7;
}

/**
 * The CLI was stopped by SIGINT or SIGTERM: it stopped its stages and released
 * its run lock. Exits like a shell reports a signal: 128 + its number (130, 143).
 */
export class InterruptedError extends EpycloudError {
  override readonly code = 'INTERRUPTED';
  override readonly exitCode: number;
  constructor(readonly signal: 'SIGINT' | 'SIGTERM') {
    super(
      `Stopped by ${signal}: the running stages were stopped and the run's lock released; finish the run with --resume`,
    );
    this.exitCode = signal === 'SIGINT' ? 130 : 143;
  }
}
