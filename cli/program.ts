import { Command, type Option } from 'commander';
import { registerBrowse } from './commands/browse.js';
import { registerBuildCloud } from './commands/build-cloud.js';
import { registerCompletion } from './commands/completion.js';
import { registerConfig } from './commands/config.js';
import { registerInit } from './commands/init.js';
import { registerContract } from './commands/contract.js';
import { registerProfile } from './commands/profile.js';
import { registerDownload } from './commands/download.js';
import { registerReport } from './commands/report.js';
import { registerValidate } from './commands/validate.js';
import { registerWorkflow } from './commands/workflow.js';
import { registerBuild } from './commands/build.js';
import { registerRun } from './commands/run.js';
import { registerSchedule } from './commands/schedule.js';
import { processCloudDeps, processDeps, type CloudCommandDeps, type CommandDeps } from './deps.js';
import { installConventions, type Verbosity } from './conventions.js';
import { installSettings } from './settings-hook.js';
import { EPYCLOUD_VERSION } from '../lib/contract/version.js';

/**
 * The command tree. Each `register*` function adds one command group; command
 * files parse options, call one core function and render its result. `signal`
 * stops a running local run (its stages, then the command).
 */
export function buildProgram(signal?: AbortSignal): Command {
  const program = new Command('epycloud')
    .description(
      'Run epidemic-modelling experiments as a three-stage pipeline, locally (Docker) or on AWS.',
    )
    .version(EPYCLOUD_VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let verbosity: () => Verbosity = () => 'normal';
  const local = (): CommandDeps => processDeps(signal, verbosity());
  const cloud = (): CloudCommandDeps => processCloudDeps(verbosity());
  registerBuild(program, local);
  registerRun(program, local);
  registerValidate(program, local);
  registerBrowse(program, local);
  registerBuildCloud(program, cloud);
  registerWorkflow(program, cloud);
  registerDownload(program, cloud);
  registerReport(program, cloud);
  registerSchedule(program, { local, cloud, signal });
  registerCompletion(program);
  registerConfig(program, local);
  registerProfile(program, local);
  registerInit(program, local);
  registerContract(program, local);
  // --quiet, --verbose, and --output beside every --json
  verbosity = installConventions(program);
  // settings files, profiles and EPYCLOUD_* fill the options a command line leaves unset
  installSettings(program, process.env, process.cwd());
  return program;
}

/** Commander's own error methods (plain methods of Command, absent from its typings): they print and throw. */
interface CommanderErrors {
  unknownCommand(): never;
  unknownOption(flag: string): never;
}
const errorsOf = (command: Command): CommanderErrors => command as unknown as CommanderErrors;

/** The options `command` accepts where `flag` stands: its own, its help, and its ancestors'. */
function findOption(command: Command, flag: string): Option | undefined {
  for (let c: Command | null = command; c !== null; c = c.parent) {
    const options = [...c.options, ...c.createHelp().visibleOptions(c)];
    const found = options.find((o) => o.short === flag || o.long === flag);
    if (found) return found;
  }
  return undefined;
}

/** `--flag=value` -> `--flag`, `-ovalue` -> `-o`. */
const flagOf = (arg: string): string =>
  arg.startsWith('--') ? arg.split('=')[0]! : arg.slice(0, 2);

/**
 * Refuses an unknown command or option with commander's own error and
 * suggestion, before commander would print help for it (`epycloud validte
 * --help`) or report a missing required option first (`run workflow --exp-di
 * x`). Walks the command path the way commander dispatches it.
 */
function refuseUnknown(program: Command, args: readonly string[]): void {
  let command = program;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return;
    if (arg.startsWith('-') && arg !== '-') {
      const option =
        findOption(command, flagOf(arg)) ?? errorsOf(command).unknownOption(flagOf(arg));
      const inline = arg.includes('=') || (!arg.startsWith('--') && arg.length > 2);
      const next = args[i + 1];
      if (!inline && (option.required || (option.optional && !next?.startsWith('-')))) i++;
    } else if (command.commands.length > 0 && arg !== 'help') {
      const sub = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
      if (sub === undefined) {
        command.args = [arg]; // the name commander's unknownCommand() reports
        return errorsOf(command).unknownCommand();
      }
      command = sub;
    }
  }
}

/** Parses and runs a command line (`argv` as `process.argv`: node, script, then the arguments). */
export async function runCommandLine(program: Command, argv: readonly string[]): Promise<void> {
  refuseUnknown(program, argv.slice(2));
  await program.parseAsync([...argv]);
}
