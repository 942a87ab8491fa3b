import { Command } from 'commander';

/**
 * The command tree. Each `register*` function adds one command group; command
 * files parse options, call one core function and render its result.
 */
export function buildProgram(): Command {
  const program = new Command('epycloud')
    .description('Run epidemic-modelling experiments as a three-stage pipeline, locally (Docker) or on AWS.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  return program;
}
