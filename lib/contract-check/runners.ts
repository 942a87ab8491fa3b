import { spawn } from 'node:child_process';
import { ENV, STDIN_LIFELINE } from '../contract/env.js';
import type { StageName } from '../contract/layout.js';
import type { StageRunner } from './types.js';

/** Longest a stage may run in a check before it is killed (a tiny case takes seconds). */
const STAGE_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs `file args` with `env`, output discarded, its stdin a pipe held open
 * until it exits (the local launchers' lifeline, `EPYCLOUD_LIFELINE=stdin`);
 * resolves to the exit code (124 when killed for time).
 */
function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.on('error', () => undefined); // the stage may exit without reading it
    const timer = setTimeout(() => child.kill('SIGKILL'), STAGE_TIMEOUT_MS);
    child.on('error', () => {
      clearTimeout(timer);
      resolve(127);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 124 : (code ?? 1));
    });
  });
}

/** As the local launchers run every stage: ended by the close of its stdin, which the checker holds open. */
const LIFELINE = { [ENV.lifeline]: STDIN_LIFELINE };

/** The command of a stage: the image's (or program's) entrypoint given the stage name, or a command per stage. */
export type StageCommands = (stage: StageName) => readonly string[];

/** Host processes: `command(stage)` with the caller's PATH and HOME and the contract environment only. */
export function processRunner(command: StageCommands, hostEnv: NodeJS.ProcessEnv): StageRunner {
  const base = { PATH: hostEnv.PATH, HOME: hostEnv.HOME };
  return (stage, env) => {
    const [file, ...args] = command(stage);
    return run(file!, args, { ...base, ...env, ...LIFELINE });
  };
}

/**
 * Containers of `image`: no network, the caller's user, the bucket's parent
 * folder at `/local` (so `LOCAL_BUCKET_DIR=/local/bucket`), the contract
 * environment, and the stage's command (default: the entrypoint given the
 * stage name).
 */
export function dockerRunner(
  image: string,
  user: { readonly uid: number; readonly gid: number },
  command: StageCommands = (stage) => [stage],
): StageRunner {
  return (stage, env, bucket) => {
    const local = bucket.hostDir.replace(/\/bucket\/?$/, '');
    const envArgs = Object.entries({ ...env, ...LIFELINE }).flatMap(([k, v]) => [
      '--env',
      `${k}=${v}`,
    ]);
    const args = [
      'run',
      '--rm',
      '--interactive',
      '--network',
      'none',
      '--user',
      `${user.uid}:${user.gid}`,
      '--volume',
      `${local}:/local`,
      ...envArgs,
      image,
      ...command(stage),
    ];
    return run('docker', args, process.env);
  };
}
