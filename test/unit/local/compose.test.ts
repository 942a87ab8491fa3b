import { describe, expect, it } from 'vitest';
import { composeRunArgs, detectCompose } from '../../../lib/local/compose.js';
import { EnvironmentError } from '../../../lib/errors.js';
import { fakeExec } from './fakes.js';

describe('detectCompose', () => {
  it('prefers the v2 plugin when `docker compose` answers', async () => {
    const exec = fakeExec({
      'docker compose version --short': { stdout: '2.27.1\n' },
      'docker-compose version --short': { stdout: '1.29.2\n' },
    });
    const compose = await detectCompose(exec);
    expect(compose).toEqual({
      file: 'docker',
      prefix: ['compose'],
      flavor: 'v2',
      version: '2.27.1',
    });
    expect(exec.calls).toEqual(['docker compose version --short']);
  });

  it('falls back to docker-compose v1 when the plugin is missing', async () => {
    const exec = fakeExec({
      'docker compose version --short': {
        exitCode: 1,
        stderr: "docker: 'compose' is not a docker command.",
      },
      'docker-compose version --short': { stdout: '1.29.2\n' },
    });
    expect(await detectCompose(exec)).toEqual({
      file: 'docker-compose',
      prefix: [],
      flavor: 'v1',
      version: '1.29.2',
    });
  });

  it('recognises a standalone docker-compose binary of v2 (`v2.x` output)', async () => {
    const exec = fakeExec({ 'docker-compose version --short': { stdout: 'v2.20.3\n' } });
    expect(await detectCompose(exec)).toMatchObject({
      file: 'docker-compose',
      flavor: 'v2',
      version: '2.20.3',
    });
  });

  it('says how to proceed when neither answers', async () => {
    const error = await detectCompose(fakeExec({})).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(/docker compose.*docker-compose.*--runtime process/s);
  });
});

describe('composeRunArgs', () => {
  const project = { file: '/repo/docker/compose.yaml', name: 'epycloud' };
  it('runs a one-off, removed, TTY-less, named service for both flavors', () => {
    const v2 = composeRunArgs(
      { file: 'docker', prefix: ['compose'], flavor: 'v2', version: '2.27.1' },
      project,
      'runner',
      'c1',
    );
    expect(v2).toEqual([
      'compose',
      '-f',
      '/repo/docker/compose.yaml',
      '-p',
      'epycloud',
      'run',
      '--rm',
      '-T',
      '--name',
      'c1',
      'runner',
    ]);
    const v1 = composeRunArgs(
      { file: 'docker-compose', prefix: [], flavor: 'v1', version: '1.29.2' },
      project,
      'output',
      'c2',
    );
    expect(v1).toEqual([
      '-f',
      '/repo/docker/compose.yaml',
      '-p',
      'epycloud',
      'run',
      '--rm',
      '-T',
      '--name',
      'c2',
      'output',
    ]);
  });

  it("puts a command after the service, replacing the service's (an experiment's own image)", () => {
    const args = composeRunArgs(
      { file: 'docker-compose', prefix: [], flavor: 'v1', version: '1.29.2' },
      project,
      'runner',
      'c3',
      ['python3', '/app/stage.py', 'runner'],
    );
    expect(args.slice(-5)).toEqual(['c3', 'runner', 'python3', '/app/stage.py', 'runner']);
  });
});
