import { spawnSync } from 'node:child_process';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalBackend } from '../../../lib/local/backend.js';
import type { WorkflowResult } from '../../../lib/backend/types.js';
import { ENV, stageEnvironment, TASK_INDEX_VARS } from '../../../lib/contract/env.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { detectCompose } from '../../../lib/local/compose.js';
import { exec } from '../../../lib/host/exec.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { IMAGES } from '../../../lib/host/images.js';
import { dockerLauncher } from '../../../lib/local/launchers.js';
import { localPaths } from '../../../lib/host/paths.js';
import { bucketPath } from '../../../lib/local/run-state.js';
import { SLOT_LABELS } from '../../../lib/local/slot-pool.js';
import type { Runtime } from '../../../lib/local/types.js';
import { addSmallExperiment, tempLocalDir } from '../local/helpers.js';
import { expectOutputs } from '../local/outputs.js';
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

function backend(runtime: Runtime, hostEnv: NodeJS.ProcessEnv = process.env) {
  return createLocalBackend({
    paths: localPaths(local.dir, process.cwd()),
    runtime,
    hostEnv,
    user,
    experiments: localExperiments,
  });
}

const run = (
  runtime: Runtime,
  expId: string,
  extra: { runId?: string; retries?: number; hostEnv?: NodeJS.ProcessEnv } = {},
) =>
  backend(runtime, extra.hostEnv).runWorkflow(
    { expId, parallelism: 2, retries: extra.retries ?? 2, runId: extra.runId },
    () => {},
  );

async function tables(result: WorkflowResult): Promise<Map<string, string>> {
  const names = (await readdir(result.outputs!)).filter((n) => n.startsWith('quantiles_'));
  return new Map(
    await Promise.all(
      names.map(
        async (n) => [n, gunzipSync(await readFile(join(result.outputs!, n))).toString()] as const,
      ),
    ),
  );
}

describe('local runs through Docker Compose', () => {
  let docker: WorkflowResult;

  it('runs the one-state SEIR example in containers, with the same numbers as host processes', async () => {
    const viaDocker = await run('docker', 'examples/seir-ma');
    expect(viaDocker).toMatchObject({ runtime: 'docker', numTasks: 1 });
    await expectOutputs(viaDocker, ['US-MA']);
    const viaProcess = await run('process', 'examples/seir-ma');
    expect(await tables(viaDocker)).toEqual(await tables(viaProcess));
  });

  it('runs the sampling example (N >= 20) with tasks in parallel slot containers; files belong to the caller', async () => {
    docker = await run('docker', 'examples/flu-states-sampling', { runId: 'docker-flu' });
    expect(docker.numTasks).toBeGreaterThanOrEqual(20);
    expect(docker.runner).toMatchObject({ tasksRun: docker.numTasks, parallelism: 2 });
    await expectOutputs(docker, ['US-MA', 'US-NY', 'US-TX', 'US-WA']);
    const owner = await stat(join(docker.outputs!, 'index.json'));
    expect([owner.uid, owner.gid]).toEqual([user.uid, user.gid]);
    const log = await readFile(
      bucketPath(
        join(local.dir, 'bucket'),
        new RunLayout('examples/flu-states-sampling', 'docker-flu').log('runner', 5),
      ),
      'utf8',
    );
    expect(log).toMatch(/"task_index":5/);
    expect(log).toMatch(/slot container epycloud-slot-/);
  });

  it('runs one task with each task-index variable through the runner service, to the same bytes', async () => {
    const compose = await detectCompose(exec);
    const paths = localPaths(local.dir, process.cwd());
    const launcher = dockerLauncher({
      paths,
      hostEnv: process.env,
      compose,
      image: IMAGES.local,
      user,
      exec,
    });
    const layout = new RunLayout('examples/flu-states-sampling', 'docker-flu');
    for (const [i, name] of TASK_INDEX_VARS.entries()) {
      const file = bucketPath(paths.bucketDir, layout.result(i + 1));
      const before = await readFile(file);
      await rm(file);
      const env = {
        ...stageEnvironment({
          mode: 'local',
          expId: layout.expId,
          runId: layout.runId,
          localBucketDir: paths.bucketDir,
        }),
        [name]: String(i + 1),
      };
      expect(
        Object.keys(env).filter((k) => (TASK_INDEX_VARS as readonly string[]).includes(k)),
      ).toEqual([name]);
      const { exitCode } = await launcher.launch({
        stage: 'runner',
        env,
        logFile: join(local.dir, `single-${name}.log`),
      });
      expect(exitCode, await readFile(join(local.dir, `single-${name}.log`), 'utf8')).toBe(0);
      expect((await readFile(file)).equals(before), name).toBe(true);
    }
    expect(ENV.arrayIndex).toBe('AWS_BATCH_JOB_ARRAY_INDEX');
  });

  it('forwards fault injection into containers: a retried task succeeds, a failing one stops the run before Stage C', async () => {
    const retried = await run('docker', small, {
      runId: 'retry',
      hostEnv: { ...process.env, EPYCLOUD_FAULT_TASKS: '3', EPYCLOUD_FAULT_ATTEMPTS: '1' },
    });
    expect(retried).toMatchObject({ status: 'succeeded', retriedTasks: [3], failedTasks: [] });
    const failed = await run('docker', small, {
      runId: 'fail',
      retries: 1,
      hostEnv: { ...process.env, EPYCLOUD_FAULT_TASKS: '0' },
    });
    expect(failed).toMatchObject({ status: 'failed', failedTasks: [0] });
    expect(failed.durationsMs.output).toBeUndefined();
    expect(failed.failure).toMatch(/task\(s\) 0 of 4 failed/);
    const resumed = await backend('docker').runWorkflow(
      { expId: small, resume: 'fail', parallelism: 2, retries: 0 },
      () => {},
    );
    expect(resumed).toMatchObject({ status: 'succeeded', runId: 'fail', runner: { tasksRun: 1 } });
  });

  it('creates no Docker network and leaves no containers behind', () => {
    const networks = spawnSync('docker', ['network', 'ls', '--format', '{{.Name}}'], {
      encoding: 'utf8',
    })
      .stdout.split('\n')
      .filter(Boolean);
    expect(networks.filter((n) => n.startsWith('epycloud'))).toEqual([]);
    const containers = spawnSync(
      'docker',
      [
        'ps',
        '-a',
        '--filter',
        'label=com.docker.compose.project=epycloud',
        '--format',
        '{{.Names}}',
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(containers.stdout.trim()).toBe('');
    const slots = spawnSync(
      'docker',
      ['ps', '-a', '--filter', `label=${SLOT_LABELS.pid}=${process.pid}`, '--format', '{{.Names}}'],
      { encoding: 'utf8' },
    );
    expect(slots.stdout.trim()).toBe('');
  });
});
