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

/** An external tool or service that is missing or did not answer (Docker, AWS). */
export class EnvironmentError extends EpycloudError {
  override readonly code = 'ENVIRONMENT';
  override readonly exitCode = 6;
}
