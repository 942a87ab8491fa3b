import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../../lib/contract/env.js';
import type { StageImage } from '../../../lib/contract/stage-image.js';
import { EnvironmentError, ValidationError } from '../../../lib/errors.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { stageImageLauncher, type RuntimeConfig } from '../../../lib/local/runtime.js';
import { fakeExec } from './fakes.js';

const declared: StageImage = {
  image: 'python-model:local',
  commands: { runner: ['python3', '/app/stage.py', 'B'] },
};

const ENGINE = 'docker info --format {{.ServerVersion}}';
const INSPECT = 'docker image inspect --format {{.Id}} python-model:local';
const COMPOSE = 'docker-compose version --short';

/** A `docker-compose` on PATH that writes its arguments and the variables it got, one per line, and exits 0. */
const FAKE_COMPOSE = `#!/bin/sh
printf 'arg %s\\n' "$@"
for name in EPYCLOUD_IMAGE EPYCLOUD_UID EPYCLOUD_GID EPYCLOUD_LOCAL_DIR EPYCLOUD_RUN_DIR EPYCLOUD_RUN_PREFIX EXP_ID TASK_INDEX EPYCLOUD_LIFELINE; do
  eval "printf '%s=%s\\\\n' $name \\"\\$$name\\""
done
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epycloud-stage-image-'));
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'docker-compose'), FAKE_COMPOSE);
  await chmod(join(dir, 'bin', 'docker-compose'), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function config(runtime: RuntimeConfig['runtime'], answers: Parameters<typeof fakeExec>[0]) {
  return {
    runtime,
    paths: {
      projectRoot: PROJECT_ROOT,
      localDir: join(dir, 'local'),
      experimentsDir: join(dir, 'local', 'e'),
      bucketDir: join(dir, 'local', 'bucket'),
    },
    hostEnv: { PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` },
    user: { uid: 4242, gid: 4343 },
    exec: fakeExec(answers),
  } satisfies RuntimeConfig;
}

const everything = {
  [ENGINE]: { stdout: '20.10.24\n' },
  [INSPECT]: { stdout: 'sha256:0123abcd\n' },
  [COMPOSE]: { stdout: '1.29.2\n' },
};

describe('stageImageLauncher', () => {
  it('refuses --runtime process at once, as bad input (exit 2), saying to run it with Docker', () => {
    const run = config('process', everything);
    const error = (() => {
      try {
        stageImageLauncher(run, declared);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(/own stage image python-model:local/);
    expect((error as Error).message).toMatch(/--runtime docker/);
    expect(run.exec.calls).toEqual([]);
  });

  it('asks nothing of Docker until ready(); then checks engine, image and Compose, never pulling', async () => {
    const run = config('docker', everything);
    const launcher = stageImageLauncher(run, declared);
    expect(launcher.runtime).toBe('docker');
    expect(run.exec.calls).toEqual([]);
    await launcher.ready!();
    expect(run.exec.calls).toEqual([ENGINE, INSPECT, 'docker compose version --short', COMPOSE]);
    expect(run.exec.calls.some((c) => / pull /.test(c))).toBe(false);
  });

  it('says how to get a missing image: docker build -t IMAGE or docker pull IMAGE', async () => {
    const { [INSPECT]: _, ...noImage } = everything;
    const error = await stageImageLauncher(config('docker', noImage), declared).ready!().catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(/Docker image python-model:local not found/);
    expect((error as Error).message).toMatch(/docker build -t python-model:local/);
    expect((error as Error).message).toMatch(/docker pull python-model:local/);
  });

  it('without an engine, says the experiment needs Docker rather than offering --runtime process', async () => {
    const error = await stageImageLauncher(config('docker', {}), declared).ready!().catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(/No Docker engine answers/);
    expect((error as Error).message).toMatch(/needs Docker/);
    expect((error as Error).message).not.toMatch(/add --runtime process/);
  });

  it('records the image and its id as the stage code', async () => {
    expect(await stageImageLauncher(config('docker', everything), declared).stageCode!()).toEqual({
      kind: 'image',
      image: 'python-model:local',
      digest: 'sha256:0123abcd',
    });
  });

  it("runs a stage as `compose run` of the image with the stage's command after the service, the default being the stage's name", async () => {
    const run = config('docker', everything);
    const launcher = stageImageLauncher(run, declared);
    const launch = async (stage: 'builder' | 'runner', env: Record<string, string>) => {
      const logFile = join(dir, 'logs', `${stage}.log`);
      const result = await launcher.launch({ stage, env, logFile });
      expect(result.exitCode).toBe(0);
      return (await readFile(logFile, 'utf8')).split('\n');
    };
    const runner = await launch('runner', {
      [ENV.expId]: 'x',
      [ENV.runId]: 'r1',
      [ENV.dirPrefix]: 'team/',
      [ENV.taskIndex]: '1',
    });
    const args = runner.filter((l) => l.startsWith('arg ')).map((l) => l.slice(4));
    expect(args.slice(0, 8)).toEqual([
      '-f',
      join(PROJECT_ROOT, 'docker', 'compose.yaml'),
      '-p',
      'epycloud',
      'run',
      '--rm',
      '-T',
      '--name',
    ]);
    expect(args[8]).toMatch(/^epycloud-runner-1-[0-9a-f]{8}$/);
    expect(args.slice(9)).toEqual(['own-runner', 'python3', '/app/stage.py', 'B']);
    expect(runner).toEqual(
      expect.arrayContaining([
        'EPYCLOUD_IMAGE=python-model:local',
        'EPYCLOUD_UID=4242',
        'EPYCLOUD_GID=4343',
        `EPYCLOUD_LOCAL_DIR=${join(dir, 'local')}`,
        // only the run's folder is mounted, at its place under /local/bucket
        `EPYCLOUD_RUN_DIR=${join(dir, 'local', 'bucket', 'team', 'x', 'runs', 'r1')}`,
        'EPYCLOUD_RUN_PREFIX=team/x/runs/r1',
        'EXP_ID=x',
        'TASK_INDEX=1',
        'EPYCLOUD_LIFELINE=stdin',
      ]),
    );
    expect(runner[0]).toMatch(/docker, compose 1\.29\.2, image python-model:local, container/);
    const builder = await launch('builder', { [ENV.expId]: 'x', [ENV.runId]: 'r1' });
    const builderArgs = builder.filter((l) => l.startsWith('arg ')).map((l) => l.slice(4));
    expect(builderArgs.slice(9)).toEqual(['own-builder', 'builder']);
  });
});
