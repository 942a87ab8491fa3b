import { CommanderError } from 'commander';
import { ConfigError, EpycloudError } from '../lib/errors.js';

/** The `--json` form of a failure, printed on stdout: `{"error": {"code": "CONFIG", "message": ..., "problems": [...]}}`. */
export interface ErrorJson {
  readonly error: {
    /** The error's stable code (`CONFIG`, `VALIDATION`, ...), `USAGE` for a bad command line, `INTERNAL` for a bug. */
    readonly code: string;
    readonly message: string;
    /** A ConfigError's problems, one per line of the text form. */
    readonly problems?: readonly string[];
  };
}

/** How the CLI reports a failure: its exit code, the text for stderr, and the `--json` object (absent for help and version). */
export interface ErrorReport {
  readonly exitCode: number;
  readonly text: string;
  readonly json?: ErrorJson;
}

/** Exit code of a command line commander refuses (unknown option, missing value): bad input, as a ValidationError. */
const USAGE_EXIT_CODE = 2;

const printed = new WeakSet<object>();

/** Marks an error whose command already printed its one `--json` document (a failed run's summary): no second one follows. */
export function alreadyPrinted<E extends object>(error: E): E {
  printed.add(error);
  return error;
}

/** Whether the command line asks for JSON output. */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.includes('--json');
}

/** The report of anything a command threw: known errors by their code, commander's usage errors, anything else as a bug. */
export function reportError(error: unknown): ErrorReport {
  if (error instanceof CommanderError) {
    // commander already printed its message on stderr; help and version end with 0
    if (error.exitCode === 0) return { exitCode: 0, text: '' };
    return {
      exitCode: USAGE_EXIT_CODE,
      text: '',
      json: { error: { code: 'USAGE', message: error.message.replace(/^error: /, '') } },
    };
  }
  if (error instanceof EpycloudError) {
    const problems =
      error instanceof ConfigError && error.problems.length > 0 ? error.problems : undefined;
    const message = problems ? error.message.split('\n')[0]! : error.message;
    const json = { error: { code: error.code, message, ...(problems ? { problems } : {}) } };
    return {
      exitCode: error.exitCode,
      text: `epycloud: ${error.message}\n`,
      ...(printed.has(error) ? {} : { json }),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    exitCode: 1,
    text: `epycloud: unexpected error: ${(error as Error).stack ?? String(error)}\n`,
    json: { error: { code: 'INTERNAL', message } },
  };
}
