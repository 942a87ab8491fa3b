import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { IMAGES } from '../../../lib/host/images.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { dockerUnavailable } from '../../../lib/host/docker.js';
import { exec } from '../../../lib/host/exec.js';
import { dockerContainerLauncher } from '../../../lib/rehearsal/docker-launcher.js';
import { loadRehearsalStack } from '../../../lib/rehearsal/index.js';
import type { ContainerLauncher } from '../../../lib/rehearsal/launcher.js';
import { rehearse } from '../../../lib/rehearsal/rehearse.js';
import { startS3Server, type S3Server } from '../../../lib/rehearsal/s3-server.js';
import { createS3Client, S3Driver, Storage } from '../../../lib/storage/index.js';
import { prepareDocker } from '../docker/docker-env.js';
import { ROOT, tinyExperiment } from './support.js';

let release: () => void = () => {};
let server: S3Server | undefined;

beforeAll(async () => {
  release = await prepareDocker();
});
afterAll(async () => {
  await server?.stop();
  release();
});

describe('rehearsal with containers of the cloud image', () => {
  it('runs every stage as a container of epycloud:cloud with the job definition command', async () => {
    expect(
      await dockerUnavailable(exec, IMAGES.cloud, 'epycloud build local --target cloud'),
    ).toBeUndefined();
    const stack = await loadRehearsalStack(ROOT);
    server = await startS3Server([stack.bucketName]);
    const real = dockerContainerLauncher({ image: IMAGES.cloud, baseEnv: server.env });
    const commands: string[] = [];
    const launcher: ContainerLauncher = (launch) => {
      commands.push((launch.command ?? []).join(' '));
      return real(launch);
    };
    const result = await rehearse(
      { expId: 'tiny-docker', runId: 'd2', experimentDir: await tinyExperiment(2) },
      { stack, s3Env: server.env, launcher, experiments: localExperiments, concurrency: 2 },
    );
    expect(result.cause).toBeUndefined();
    expect(result).toMatchObject({ status: 'succeeded', numTasks: 2, stateTransitions: 8 });
    expect(commands.sort()).toEqual([
      'node dist/stage.mjs builder',
      'node dist/stage.mjs output',
      'node dist/stage.mjs runner',
      'node dist/stage.mjs runner',
    ]);
    const storage = new Storage(new S3Driver(createS3Client(server.env), stack.bucketName));
    const layout = new RunLayout('tiny-docker', 'd2');
    expect(await storage.list(layout.resultsPrefix)).toEqual([layout.result(0), layout.result(1)]);
    expect(await storage.list(layout.outputsPrefix)).not.toEqual([]);
  });

  it('says why containers cannot run when the image is missing', async () => {
    expect(
      await dockerUnavailable(exec, 'epycloud:no-such-tag', 'epycloud build local --target cloud'),
    ).toMatch(
      /image epycloud:no-such-tag is missing: build it with `epycloud build local --target cloud`/,
    );
  });
});
