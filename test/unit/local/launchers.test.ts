import { describe, expect, it } from 'vitest';
import { hostEnvironment } from '../../../lib/local/launchers.js';
import { buildArgs, CODE_LABEL } from '../../../lib/host/images.js';
import { createLauncher } from '../../../lib/local/runtime.js';
import { stageCodeHash } from '../../../lib/host/bundle.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { probeEngine, requireEngine } from '../../../lib/host/docker.js';
import { EnvironmentError } from '../../../lib/errors.js';
import { fakeExec } from './fakes.js';

describe('hostEnvironment', () => {
  it('drops stray contract variables of the caller but keeps PATH and fault injection', () => {
    const env = hostEnvironment({
      PATH: '/usr/bin',
      TASK_INDEX_OFFSET: '100',
      BATCH_TASK_INDEX: '4',
      EXP_ID: 'other',
      EPYCLOUD_FAULT_TASKS: '1',
      EPYCLOUD_FAULT_ATTEMPTS: '1',
    });
    expect(env).toEqual({
      PATH: '/usr/bin',
      EPYCLOUD_FAULT_TASKS: '1',
      EPYCLOUD_FAULT_ATTEMPTS: '1',
    });
  });
});

describe('docker engine probe', () => {
  it('reports the server version when docker info answers', async () => {
    const exec = fakeExec({ 'docker info --format {{.ServerVersion}}': { stdout: '20.10.24\n' } });
    expect(await probeEngine(exec)).toEqual({ ok: true, version: '20.10.24' });
  });

  it('says plainly that no engine answers and how to proceed', async () => {
    const exec = fakeExec({
      'docker info --format {{.ServerVersion}}': {
        exitCode: 1,
        stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n',
      },
    });
    const error = await requireEngine(exec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(
      /No Docker engine answers \(Cannot connect to the Docker daemon/,
    );
    expect((error as Error).message).toMatch(/docker-engine\.sh start/);
    expect((error as Error).message).toMatch(/--runtime process/);
  });

  it('names a missing docker client', async () => {
    expect(await probeEngine(fakeExec({}))).toEqual({
      ok: false,
      reason: 'the docker command is not installed',
    });
  });
});

describe('buildArgs', () => {
  it('builds a Dockerfile target on the host network with the base image as a build argument', () => {
    expect(buildArgs('/repo', 'cloud', 'epycloud-base:local')).toEqual([
      'build',
      '--force-rm',
      '--network',
      'host',
      '-f',
      '/repo/docker/Dockerfile',
      '--target',
      'cloud',
      '--build-arg',
      'BASE_IMAGE=epycloud-base:local',
      '--build-arg',
      'STAGE_CODE_SHA256=unknown',
      '-t',
      'epycloud:cloud',
      '/repo',
    ]);
  });
});

describe('createLauncher (docker)', () => {
  const paths = {
    projectRoot: PROJECT_ROOT,
    localDir: '/l',
    experimentsDir: '/l/e',
    bucketDir: '/l/b',
  };
  const answers = (label: string) =>
    fakeExec({
      'docker info --format {{.ServerVersion}}': { stdout: '20.10.24\n' },
      'docker image inspect --format {{.Id}} epycloud:local': { stdout: 'sha256:abc\n' },
      [`docker image inspect --format {{ index .Config.Labels "${CODE_LABEL}" }} epycloud:local`]: {
        stdout: `${label}\n`,
      },
      'docker-compose version --short': { stdout: '1.29.2\n' },
    });
  const config = (label: string) => ({
    runtime: 'docker' as const,
    paths,
    hostEnv: {},
    user: { uid: 1, gid: 1 },
    exec: answers(label),
  });

  it('refuses an image built from other stage code than the checkout, saying how to rebuild', async () => {
    await expect(createLauncher(config('0'.repeat(64)))).rejects.toThrow(
      /holds other stage code than this checkout.*epycloud build local/,
    );
  });

  it('accepts an image of the current code, and one without the label', async () => {
    expect((await createLauncher(config(await stageCodeHash(PROJECT_ROOT)))).runtime).toBe(
      'docker',
    );
    expect((await createLauncher(config('<no value>'))).runtime).toBe('docker');
  });
});
