import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend } from '../../../lib/local/backend.js';
import type { ProgressEvent } from '../../../lib/backend/types.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { IMAGES } from '../../../lib/host/images.js';
import { localPaths, PROJECT_ROOT } from '../../../lib/host/paths.js';
import { bucketPath } from '../../../lib/local/run-state.js';
import { SLOT_LABELS } from '../../../lib/local/slot-pool.js';
import { addSmallExperiment, tempLocalDir } from '../local/helpers.js';
import { prepareDocker } from './docker-env.js';

let release: () => void = () => {};
let local: Awaited<ReturnType<typeof tempLocalDir>>;
let small: string;
const user = { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 };

beforeAll(async () => {
  release = await prepareDocker();
  local = await tempLocalDir();
  small = await addSmallExperiment(local.dir);
});
afterAll(async () => {
  await local?.cleanup();
  release();
});

/** Names of the containers (running or not) carrying `label`. */
const containers = (label: string): string[] =>
  spawnSync('docker', ['ps', '-a', '--filter', `label=${label}`, '--format', '{{.Names}}'], {
    encoding: 'utf8',
  })
    .stdout.split('\n')
    .filter(Boolean);
const ours = (pid = process.pid): string[] => containers(`${SLOT_LABELS.pid}=${pid}`);
const compose = (): string[] => containers('com.docker.compose.project=epycloud');

function backend(hostEnv: NodeJS.ProcessEnv = process.env, signal?: AbortSignal) {
  return createLocalBackend({
    paths: localPaths(local.dir, process.cwd()),
    runtime: 'docker',
    hostEnv,
    user,
    experiments: localExperiments,
    signal,
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('runs in slot containers', () => {
  it('retries a task that fails its first attempt in its slot, then succeeds; no container is left', async () => {
    const result = await backend({
      ...process.env,
      EPYCLOUD_FAULT_TASKS: '2',
      EPYCLOUD_FAULT_ATTEMPTS: '1',
    }).runWorkflow({ expId: small, runId: 'slot-retry', parallelism: 2, retries: 2 }, () => {});
    expect(result).toMatchObject({ status: 'succeeded', retriedTasks: [2], failedTasks: [] });
    const log = await readFile(
      bucketPath(join(local.dir, 'bucket'), new RunLayout(small, 'slot-retry').log('runner', 2)),
      'utf8',
    );
    const headers = log.split('\n').filter((l) => l.startsWith('=== epycloud: runner task 2'));
    expect(headers).toHaveLength(2);
    for (const header of headers) expect(header).toMatch(/slot container epycloud-slot-/);
    expect(log).toMatch(/"attempt":2/);
    for (const stage of ['builder', 'output'] as const) {
      const stageLog = await readFile(
        bucketPath(join(local.dir, 'bucket'), new RunLayout(small, 'slot-retry').log(stage)),
        'utf8',
      );
      expect(stageLog.split('\n')[0]).toMatch(/slot container epycloud-slot-/);
    }
    expect(ours()).toEqual([]);
    expect(compose()).toEqual([]);
  });

  it('an interrupted run stops its tasks and leaves no container', async () => {
    const controller = new AbortController();
    const progress = (event: ProgressEvent): void => {
      if (event.type === 'task' && event.phase === 'start' && event.index >= 2)
        controller.abort(new Error('stopped by the test'));
    };
    const run = backend(process.env, controller.signal).runWorkflow(
      { expId: small, runId: 'slot-stop', parallelism: 2, retries: 0 },
      progress,
    );
    await expect(run).rejects.toThrow('stopped by the test');
    expect(ours()).toEqual([]);
    expect(compose()).toEqual([]);
  });

  it('removes leftovers of a dead CLI at the next run; slot containers end with a killed CLI (lifeline)', async () => {
    const gone = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], {
      encoding: 'utf8',
    });
    const deadPid = gone.stdout.trim();
    const leftover = spawnSync('docker', [
      ...['run', '-d', '--network', 'none', '--label', `${SLOT_LABELS.slot}=true`],
      ...[
        '--label',
        `${SLOT_LABELS.host}=${hostname()}`,
        '--label',
        `${SLOT_LABELS.pid}=${deadPid}`,
      ],
      ...[IMAGES.local, 'sleep', '600'],
    ]);
    expect(leftover.status, leftover.stderr?.toString()).toBe(0);
    expect(ours(Number(deadPid))).toHaveLength(1);

    const cli = spawn(
      process.execPath,
      [
        join(PROJECT_ROOT, 'cli', 'epycloud.mjs'),
        ...['run', 'workflow', '--local', '--local-dir', local.dir, '--runtime', 'docker'],
        ...[
          '--exp-id',
          'examples/flu-states-sampling',
          '--run-id',
          'slot-kill',
          '--parallelism',
          '2',
        ],
      ],
      { cwd: PROJECT_ROOT, stdio: 'ignore' },
    );
    const exited = new Promise((resolve) => cli.on('close', resolve));
    const deadline = Date.now() + 180_000;
    while (ours(cli.pid).length < 2 && Date.now() < deadline) await sleep(200);
    expect(ours(cli.pid)).toHaveLength(2);
    while (ours(Number(deadPid)).length > 0 && Date.now() < deadline) await sleep(200);
    expect(ours(Number(deadPid))).toEqual([]);
    cli.kill('SIGKILL');
    await exited;
    const ended = Date.now() + 10_000;
    while (ours(cli.pid).length > 0 && Date.now() < ended) await sleep(200);
    expect(ours(cli.pid)).toEqual([]);
  });
});
