import { describe, expect, it } from 'vitest';
import { EnvironmentError, ValidationError } from '../../../lib/errors.js';
import type { Exec } from '../../../lib/host/exec.js';
import { runRehearsal } from '../../../lib/rehearsal/index.js';
import { chooseRuntime } from '../../../lib/rehearsal/runtime.js';
import { dockerEngineEcr, nameHashDigests } from '../../../lib/rehearsal/stand-in-ecr.js';

const ID = `sha256:${'b'.repeat(64)}`;
const REPOSITORY = '000000000000.dkr.ecr.us-east-1.amazonaws.com/imagerepository';

/** A Docker engine that answers `docker info` (unless down) and has the named images. */
function docker(images: readonly string[], down = false): Exec & { calls: string[] } {
  const calls: string[] = [];
  const fake = async (file: string, args: readonly string[]) => {
    calls.push([file, ...args].join(' '));
    if (down) return { exitCode: 1, stdout: '', stderr: 'Cannot connect to the Docker daemon' };
    if (args[0] === 'info') return { exitCode: 0, stdout: '27.0.1\n', stderr: '' };
    const image = args.at(-1) ?? '';
    return images.includes(image)
      ? { exitCode: 0, stdout: `${ID}\n`, stderr: '' }
      : { exitCode: 1, stdout: '', stderr: `No such image: ${image}` };
  };
  return Object.assign(fake, { calls });
}

const OWN = { image: `${REPOSITORY}:python-model` };

describe('chooseRuntime', () => {
  it('picks containers for an experiment with its own image, even without the cloud image', async () => {
    const notes: string[] = [];
    const runtime = await chooseRuntime({
      expId: 'byo',
      image: 'epycloud:cloud',
      stageImage: OWN,
      exec: docker([]),
      onNotice: (m) => notes.push(m),
    });
    expect(runtime).toBe('docker');
    expect(notes[0]).toContain(OWN.image);
  });

  it('refuses --runtime process for an experiment with its own image, naming it', async () => {
    const error = await chooseRuntime({
      expId: 'byo',
      runtime: 'process',
      image: 'epycloud:cloud',
      stageImage: OWN,
      exec: docker([]),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /Experiment byo runs in its own image .*:python-model .*host processes cannot run an image. Rehearse it with --runtime docker/,
    );
  });

  it('says Docker is needed when no engine answers for an experiment with its own image', async () => {
    const error = await chooseRuntime({
      expId: 'byo',
      image: 'epycloud:cloud',
      stageImage: OWN,
      exec: docker([], true),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect((error as Error).message).toMatch(/no Docker engine answers .*docker-engine.sh start/);
  });

  it('keeps the built-in choice: containers when the engine has the cloud image, else processes', async () => {
    const base = { expId: 'e', image: 'epycloud:cloud' };
    expect(await chooseRuntime({ ...base, exec: docker(['epycloud:cloud']) })).toBe('docker');
    expect(await chooseRuntime({ ...base, exec: docker([]) })).toBe('process');
    await expect(chooseRuntime({ ...base, runtime: 'docker', exec: docker([]) })).rejects.toThrow(
      /epycloud:cloud is missing/,
    );
  });

  it('refuses before synthesizing or starting anything (runRehearsal)', async () => {
    const exec = docker([]);
    const error = await runRehearsal(
      { expId: 'byo', experimentDir: '/exp' },
      {
        projectRoot: '/nowhere',
        hostEnv: {},
        runtime: 'process',
        exec,
        experiments: {
          validate: async () => ({ numTasks: undefined, stageImage: OWN }),
          snapshot: async () => {
            throw new Error('must not snapshot');
          },
        },
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(exec.calls).toEqual([]);
  });
});

describe('stand-in ECR', () => {
  it('docker runtime: a tag exists when the engine has <repositoryUri>:<tag>, its digest the image id', async () => {
    const exec = docker([`${REPOSITORY}:python-model`]);
    const ecr = dockerEngineEcr(exec, REPOSITORY);
    expect(await ecr.resolveImageDigest('imagerepository', 'python-model')).toBe(ID);
    expect(await ecr.resolveImageDigest('imagerepository', 'v7')).toBeUndefined();
    expect(exec.calls[0]).toBe(`docker image inspect --format {{.Id}} ${REPOSITORY}:python-model`);
  });

  it('process runtime: every tag exists, named by a stable hash', async () => {
    const digest = await nameHashDigests('imagerepository', 'v7');
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await nameHashDigests('imagerepository', 'v7')).toBe(digest);
    expect(await nameHashDigests('imagerepository', 'v8')).not.toBe(digest);
  });

  it('runs a digest it pinned as the local image of that id; a digest the user wrote, and any other reference, as written', async () => {
    const ecr = dockerEngineEcr(docker([`${REPOSITORY}:python-model`]), REPOSITORY);
    const written = `${REPOSITORY}@sha256:${'c'.repeat(64)}`;
    expect(ecr.localImage(`${REPOSITORY}@${ID}`)).toBe(`${REPOSITORY}@${ID}`); // not pinned by it yet
    await ecr.resolveImageDigest('imagerepository', 'python-model');
    expect(ecr.localImage(`${REPOSITORY}@${ID}`)).toBe(ID);
    expect(ecr.localImage(written)).toBe(written);
    expect(ecr.localImage('epycloud:cloud')).toBe('epycloud:cloud');
  });
});
