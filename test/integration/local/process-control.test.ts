import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { bucketPath } from '../../../lib/local/run-state.js';
import { runCli, tempLocalDir, type CliRun } from './helpers.js';

/** Every process of this test carries `MARKER=<its value>` (the CLI passes it on to its stages). */
const MARKER = 'EPYCLOUD_IT_PROCESS_CONTROL';
const EXP = 'tests/slow';

let local: Awaited<ReturnType<typeof tempLocalDir>>;
const markers: string[] = [];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Pids and command lines of the live processes whose environment holds `MARKER=value`. */
async function marked(value: string): Promise<{ pid: number; cmdline: string }[]> {
  const found: { pid: number; cmdline: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const read = (file: string) => readFile(join('/proc', entry, file), 'utf8').catch(() => '');
    if ((await read('environ')).split('\0').includes(`${MARKER}=${value}`)) {
      if (await running(Number(entry)))
        found.push({
          pid: Number(entry),
          cmdline: (await read('cmdline')).split('\0').join(' ').trim(),
        });
    }
  }
  return found;
}

/** Whether a pid runs (a zombie waiting for a reaper does not). */
async function running(pid: number): Promise<boolean> {
  const status = await readFile(join('/proc', String(pid), 'status'), 'utf8').catch(() => '');
  return status !== '' && !/^State:\s+Z/m.test(status);
}

/** Polls until `check` holds, or fails after `ms`. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Starts the CLI (a fresh marker in its environment) and keeps hold of the process. */
function startCli(args: readonly string[]): {
  child: ChildProcess;
  marker: string;
  done: Promise<CliRun>;
} {
  const marker = randomBytes(6).toString('hex');
  markers.push(marker);
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'cli', 'epycloud.mjs'), ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, [MARKER]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code, signal) =>
      resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : 1), stdout, stderr }),
    ),
  );
  return { child, marker, done };
}

/** The Stage B processes the CLI started, once at least one runs. */
function runnersOf(marker: string): Promise<{ pid: number; cmdline: string }[]> {
  return until('Stage B processes', 120_000, async () => {
    const runners = (await marked(marker)).filter((p) => /stage\.mjs runner$/.test(p.cmdline));
    return runners.length > 0 ? runners : undefined;
  });
}

const local_ = (...args: string[]) => [
  '--local',
  '--runtime',
  'process',
  '--local-dir',
  local.dir,
  ...args,
];
const lockFile = (runId: string) =>
  bucketPath(join(local.dir, 'bucket'), new RunLayout(EXP, runId).lock);

beforeAll(async () => {
  local = await tempLocalDir();
  // The sampling example cut to 4 tasks of ~10 s each (4,000 simulations): long enough to kill mid-task.
  const to = join(local.dir, 'forecast', 'experiments', ...EXP.split('/'));
  await cp(join(local.dir, 'forecast', 'experiments', 'examples', 'flu-states-sampling'), to, {
    recursive: true,
  });
  const model = join(to, 'config', 'model.yaml');
  await writeFile(model, (await readFile(model, 'utf8')).replace(/n_sims: \d+/, 'n_sims: 4000'));
  await writeFile(
    join(to, 'config', 'modelset.yaml'),
    'modelset:\n  population_names: [US-MA, US-NY]\n  sampling:\n    latin_hypercube:\n      n_samples: 2\n' +
      '      parameters:\n        R0: { low: 1.3, high: 1.8 }\n      compartments:\n        I: { low: 0.00001, high: 0.0001 }\n',
  );
});

afterAll(async () => {
  for (const marker of markers)
    for (const { pid } of await marked(marker)) process.kill(pid, 'SIGKILL');
  await local.cleanup();
});

describe('process control of local runs (process runtime)', () => {
  it('SIGKILL of the CLI during Stage B: no stage process survives it; the next command takes over its stale lock', async () => {
    const run = startCli([
      'run',
      'workflow',
      ...local_('--exp-id', EXP, '--run-id', 'killed', '--parallelism', '2'),
    ]);
    const runners = await runnersOf(run.marker);
    expect(JSON.parse(await readFile(lockFile('killed'), 'utf8'))).toMatchObject({
      pid: run.child.pid,
      host: hostname(),
    });
    run.child.kill('SIGKILL');
    expect((await run.done).exitCode).toBe(137);
    // the lifeline ends them within a second here; the bound leaves room for a loaded CI machine
    await until('every stage process of the killed CLI to end', 10_000, async () =>
      (await marked(run.marker)).length === 0 ? true : undefined,
    );
    for (const { pid } of runners) expect(await running(pid)).toBe(false);

    const next = await runCli([
      'run',
      'job',
      ...local_('--stage', 'A', '--exp-id', EXP, '--run-id', 'killed'),
    ]);
    expect(next.exitCode, next.stderr).toBe(0);
    expect(next.stderr).toMatch(
      new RegExp(
        `Taking over the lock of Run killed of ${EXP} from pid ${run.child.pid} on ${hostname()} .*process ${run.child.pid} is no longer running`,
      ),
    );
    await expect(stat(lockFile('killed'))).rejects.toThrow(/ENOENT/);
  });

  it('two resumes of one run at once: the second fails fast naming the holder; SIGINT stops the first (exit 130), its stages and its lock', async () => {
    const made = await runCli([
      'run',
      'job',
      ...local_('--stage', 'A', '--exp-id', EXP, '--run-id', 'busy'),
    ]);
    expect(made.exitCode, made.stderr).toBe(0);
    const first = startCli([
      'run',
      'workflow',
      ...local_('--exp-id', EXP, '--resume', 'busy', '--parallelism', '2'),
    ]);
    await runnersOf(first.marker);

    const second = await runCli([
      'run',
      'workflow',
      ...local_('--exp-id', EXP, '--resume', 'busy', '--json'),
    ]);
    expect(second.exitCode, second.stderr).toBe(7);
    expect(first.child.exitCode, 'the first resume is still running').toBeNull();
    expect(second.stderr).toMatch(
      new RegExp(
        `Run busy of ${EXP} is in use by another epycloud: pid ${first.child.pid} on ${hostname()} \\(since .*: epycloud run workflow`,
      ),
    );
    expect(second.stderr).not.toMatch(/runner: task/);

    first.child.kill('SIGINT');
    const stopped = await first.done;
    expect(stopped.exitCode, stopped.stderr).toBe(130);
    expect(stopped.stderr).toMatch(/SIGINT: stopping the running stages/);
    expect(await marked(first.marker)).toEqual([]);
    await expect(stat(lockFile('busy'))).rejects.toThrow(/ENOENT/);
  });
});
