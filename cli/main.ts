import { CommanderError } from 'commander';
import { EpycloudError } from '../lib/errors.js';
import { buildProgram } from './program.js';

/**
 * The CLI entrypoint: the only place that catches errors and exits. Known
 * errors print their message and exit with their code; anything else is a bug
 * and prints its stack.
 */
async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof EpycloudError) {
      process.stderr.write(`epycloud: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`epycloud: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv);
