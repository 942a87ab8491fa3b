import { CommanderError } from 'commander';
import { ConfigError, EpycloudError } from '../lib/errors.js';

/** The `--json` form of a failure, the last line of stderr: `{"error": {"code": "CONFIG", "message": ..., "problems": [...]}}` (docs/CLI.md). */
export interface ErrorJson {
  readonly error: {
    /** The error's stable code (`CONFIG`, `VALIDATION`, ...), `USAGE` for a bad command line, `INTERNAL` for a bug. */
    readonly code: string;
    readonly message: string;
    /** A ConfigError's problems, one per line of the text form. */
    readonly problems?: readonly string[];
  };
}

/** How the CLI reports a failure: its exit code, the text for stderr, and the `--json` object (absent for help and version), also for stderr. */
export interface ErrorReport {
  readonly exitCode: number;
  readonly text: string;
  readonly json?: ErrorJson;
}

/** Exit code of a command line commander refuses (unknown option, missing value): bad input, as a ValidationError. */
const USAGE_EXIT_CODE = 2;

/**
 * Marks an error whose command already printed its result on stdout (a failed
 * run's summary). Since the `--json` error object moved to stderr it no longer
 * collides with that result, so every failure prints one: this is the identity.
 */
export function alreadyPrinted<E extends object>(error: E): E {
  return error;
}

/**
 * The report of anything a command threw: known errors by their code,
 * commander's usage errors, anything else as a bug (its stack trace only
 * when `verbose`).
 */
export function reportError(error: unknown, verbose = false): ErrorReport {
  if (error instanceof CommanderError) {
    // commander already printed its message on stderr; help and version end with 0
    if (error.exitCode === 0) return { exitCode: 0, text: '' };
    const message =
      error.code === 'commander.help'
        ? 'a command is missing: see the usage above'
        : error.message.replace(/^error: /, '');
    return { exitCode: USAGE_EXIT_CODE, text: '', json: { error: { code: 'USAGE', message } } };
  }
  if (error instanceof EpycloudError) {
    const problems =
      error instanceof ConfigError && error.problems.length > 0 ? error.problems : undefined;
    const message = problems ? error.message.split('\n')[0]! : error.message;
    const json = { error: { code: error.code, message, ...(problems ? { problems } : {}) } };
    return { exitCode: error.exitCode, text: `epycloud: ${error.message}\n`, json };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: 1,
    text: verbose
      ? `epycloud: unexpected error: ${(error as Error).stack ?? String(error)}\n`
      : `epycloud: unexpected error: ${message}\n  (a bug in epycloud: run the command again with --verbose for its stack trace, and report it)\n`,
    json: { error: { code: 'INTERNAL', message } },
  };
}
