import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import type { WorkflowResult } from '../../../lib/backend/types.js';

/** Result of one CLI invocation. */
export interface CliRun {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A settings folder no test writes to: the developer's own `~/.config/epycloud` never leaks in. */
const NO_USER_SETTINGS = join(tmpdir(), 'epycloud-tests-no-user-settings');

/**
 * Runs the installed CLI entry (`cli/epycloud.mjs`) as a user would, from `cwd`
 * (default the project), with extra environment: this shell's `EPYCLOUD_*`
 * variables and user settings file are left out, so only `env` and the
 * project files under `cwd` count.
 */
export function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd: string = PROJECT_ROOT,
): Promise<CliRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('EPYCLOUD_')),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'cli', 'epycloud.mjs'), ...args], {
      cwd,
      env: { ...inherited, XDG_CONFIG_HOME: NO_USER_SETTINGS, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
  });
}

/** Parses the `--json` summary a run printed. */
export function summary(run: CliRun): WorkflowResult {
  try {
    return JSON.parse(run.stdout) as WorkflowResult;
  } catch {
    throw new Error(
      `no JSON summary on stdout (exit ${run.exitCode}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`,
    );
  }
}

/** A temporary local folder holding copies of the shipped example experiments. */
export async function tempLocalDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'epycloud-local-it-'));
  await cp(
    join(PROJECT_ROOT, 'local', 'forecast', 'experiments', 'examples'),
    join(dir, 'forecast', 'experiments', 'examples'),
    {
      recursive: true,
    },
  );
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Adds `tests/small-sampling`: the flu-states example cut to 2 states x 2
 * samples (N = 4) and 20 simulations per task, for fast failure tests.
 */
export async function addSmallExperiment(localDir: string): Promise<string> {
  const from = join(localDir, 'forecast', 'experiments', 'examples', 'flu-states-sampling');
  const to = join(localDir, 'forecast', 'experiments', 'tests', 'small-sampling');
  await cp(from, to, { recursive: true });
  const model = await readFile(join(to, 'config', 'model.yaml'), 'utf8');
  await writeFile(join(to, 'config', 'model.yaml'), model.replace(/n_sims: \d+/, 'n_sims: 20'));
  await writeFile(
    join(to, 'config', 'modelset.yaml'),
    [
      'modelset:',
      '  population_names: [US-MA, US-NY]',
      '  sampling:',
      '    latin_hypercube:',
      '      n_samples: 2',
      '      parameters:',
      '        R0: { low: 1.3, high: 1.8 }',
      '      compartments:',
      '        I: { low: 0.00001, high: 0.0001 }',
      '',
    ].join('\n'),
  );
  return 'tests/small-sampling';
}
