import { Command } from 'commander';
import { registerBrowse } from './commands/browse.js';
import { registerBuildCloud } from './commands/build-cloud.js';
import { registerDownload } from './commands/download.js';
import { registerReport } from './commands/report.js';
import { registerWorkflow } from './commands/workflow.js';
import { registerBuild } from './commands/build.js';
import { registerRun } from './commands/run.js';
import { processDeps } from './deps.js';
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
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerBuild(program);
  registerRun(program, () => processDeps(signal));
  registerBrowse(program);
  registerBuildCloud(program);
  registerWorkflow(program);
  registerDownload(program);
  registerReport(program);
  return program;
}
