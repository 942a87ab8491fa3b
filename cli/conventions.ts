import { Option, type Command } from 'commander';
import { ValidationError } from '../lib/errors.js';

/** How much the CLI says on stderr: `--quiet` (results and errors only), normal, `--verbose`. */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

/** The formats of `--output`, as the AWS CLI names them: `table` is the text for people. */
export const OUTPUT_FORMATS = ['json', 'table'] as const;

/** Every runnable command under `command`. */
const leaves = (command: Command): Command[] =>
  command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);

const hasJson = (command: Command): boolean => command.options.some((o) => o.long === '--json');

/**
 * The conventions every command shares, installed once on the finished tree:
 * the root's `--quiet` and `--verbose` (accepted before or after the
 * subcommand), and `--output <json|table>` beside every `--json`
 * (`--output json` is `--json`). Returns the verbosity the parsed line asked for.
 */
export function installConventions(program: Command): () => Verbosity {
  program
    .option('-q, --quiet', 'print results and errors only: no progress or notes on stderr')
    .addOption(
      new Option(
        '-v, --verbose',
        "say more on stderr: every task's start and end, and a bug's stack trace",
      ).conflicts('quiet'),
    );
  for (const command of leaves(program).filter(hasJson)) {
    command.addOption(
      new Option('--output <format>', 'json (as --json) or table (the text for people)').choices(
        OUTPUT_FORMATS,
      ),
    );
  }
  let verbosity: Verbosity = 'normal';
  program.hook('preAction', (_hooked, action) => {
    const globals = action.optsWithGlobals<{ quiet?: boolean; verbose?: boolean }>();
    verbosity = globals.quiet ? 'quiet' : globals.verbose ? 'verbose' : 'normal';
    const output = action.getOptionValue('output') as string | undefined;
    if (output === 'table' && action.getOptionValue('json') === true)
      throw new ValidationError('--output table contradicts --json: give one of them');
    if (output === 'json') action.setOptionValueWithSource('json', true, 'cli');
  });
  return () => verbosity;
}

/** Whether the command line asks for JSON output (`--json`, `--output json`, `--output=json`). */
export function wantsJson(argv: readonly string[]): boolean {
  return argv.some(
    (arg, i) =>
      arg === '--json' || arg === '--output=json' || (arg === '--output' && argv[i + 1] === 'json'),
  );
}

/** Whether the command line asks for `--verbose` (read before parsing, for errors commander raises). */
export const wantsVerbose = (argv: readonly string[]): boolean =>
  argv.includes('--verbose') || argv.includes('-v');
