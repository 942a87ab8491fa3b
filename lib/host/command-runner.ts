import { execa } from 'execa';
import { EnvironmentError } from '../errors.js';

/** Runs an external command (docker); rejects when it exits non-zero. `input` goes to its stdin. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  options?: { input?: string },
) => Promise<void>;

/** A runner that announces each command on `write` and names the failed one with its output's tail. */
export function loggedRunner(cwd: string, write: (text: string) => void): CommandRunner {
  return async (command, args, options) => {
    write(`build: ${command} ${args.join(' ')}\n`);
    const result = await execa(command, [...args], {
      cwd,
      input: options?.input,
      reject: false,
      all: true,
    });
    if (result.exitCode !== 0)
      throw new EnvironmentError(
        `${command} ${args[0]} failed (exit ${result.exitCode ?? '?'}): ${(result.all ?? '').slice(-2000)}`,
      );
  };
}
