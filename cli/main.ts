import type { EpycloudError } from '../lib/errors.js';
import { wantsJson, wantsVerbose } from './conventions.js';
import { reportError } from './error-report.js';
import { interruptOnSignals } from './interrupt.js';
import { buildProgram, runCommandLine } from './program.js';

/**
 * The CLI entrypoint: the only place that catches errors and exits. Known
 * errors print their message and exit with their code; anything else is a bug
 * and prints its message (its stack with `--verbose`). With `--json`, a failure also prints its JSON object
 * (`{"error": {code, message, problems?}}`) as the last line of stderr, after
 * the text (docs/CLI.md). SIGINT and SIGTERM abort `signal`: the command stops
 * its stages and releases its run lock, and the CLI exits with 130 or 143.
 */
async function main(argv: readonly string[], signal: AbortSignal): Promise<number> {
  try {
    await runCommandLine(buildProgram(signal), argv);
    return 0;
  } catch (error) {
    const report = reportError(error, wantsVerbose(argv));
    process.stderr.write(report.text);
    if (report.json && wantsJson(argv)) process.stderr.write(`${JSON.stringify(report.json)}\n`);
    return report.exitCode;
  }
}

const interrupt = interruptOnSignals(
  (text) => process.stderr.write(text),
  (code) => process.exit(code),
);
const exitCode = await main(process.argv, interrupt.signal);
interrupt.dispose();
process.exitCode = interrupt.signal.aborted
  ? (interrupt.signal.reason as EpycloudError).exitCode
  : exitCode;
