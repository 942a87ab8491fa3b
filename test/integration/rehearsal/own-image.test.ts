import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { RunLayout } from '../../../lib/contract/layout.js';
import { localExperiments } from '../../../lib/host/experiment-source.js';
import { loadRehearsalStack, runRehearsal } from '../../../lib/rehearsal/index.js';
import { startS3Server, type S3Server } from '../../../lib/rehearsal/s3-server.js';
import type { RehearsalStack } from '../../../lib/rehearsal/stack-reader.js';
import { readRunRecord } from '../../../lib/run/run-record.js';
import { createS3Client, S3Driver, Storage } from '../../../lib/storage/index.js';
import { buildPythonModel, inspectImage, prepareDocker } from '../docker/docker-env.js';
import { ROOT } from './support.js';

/** The Python example image (examples/python-model), built on the test base. */
const BUILT = 'epycloud-python-model:rehearsal-test';
const EXAMPLE = join(ROOT, 'examples', 'python-model');

let release: () => void = () => {};
let server: S3Server | undefined;
let stack: RehearsalStack;
let storage: Storage;
let experimentsDir = '';
/** The image under the synthesized stack's repository, as on AWS after `docker push`. */
let repositoryTag = '';

const docker = (...args: string[]): void => {
  const result = spawnSync('docker', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
};

/** A copy of the example experiment under the experiments folder, its `stages.image` set to `image`. */
async function experimentNaming(expId: string, image: string): Promise<string> {
  const dir = join(experimentsDir, expId);
  await cp(join(EXAMPLE, 'experiment'), dir, { recursive: true });
  const file = join(dir, 'config', 'stages.yaml');
  const config = parse(await readFile(file, 'utf8')) as { stages: { image: string } };
  config.stages.image = image;
  await writeFile(file, stringify(config));
  return dir;
}

beforeAll(async () => {
  release = await prepareDocker();
  const build = buildPythonModel(BUILT);
  if (build.status !== 0) throw new Error(`building ${BUILT} failed: ${build.stderr}`);
  stack = await loadRehearsalStack(ROOT);
  repositoryTag = `${stack.prepareConfig.repositoryUri}:python-model`;
  docker('tag', BUILT, repositoryTag);
  server = await startS3Server([stack.bucketName]);
  storage = new Storage(new S3Driver(createS3Client(server.env), stack.bucketName));
  experimentsDir = await mkdtemp(join(tmpdir(), 'epycloud-own-image-'));
}, 900_000);

afterAll(async () => {
  await server?.stop();
  spawnSync('docker', ['image', 'rm', '-f', repositoryTag, BUILT], { stdio: 'ignore' });
  if (experimentsDir !== '') await rm(experimentsDir, { recursive: true, force: true });
  release();
});

const setup = () => ({
  projectRoot: ROOT,
  hostEnv: process.env,
  experiments: localExperiments,
  server,
  concurrency: 3,
});

describe('rehearsal of an experiment with its own stage image', () => {
  it("runs every stage as a container of the image PrepareRun pinned and registered, with the experiment's commands", async () => {
    const expId = 'byo/python';
    const experimentDir = await experimentNaming(expId, repositoryTag);
    const notes: string[] = [];
    const result = await runRehearsal(
      { expId, runId: 'p1', experimentDir },
      { ...setup(), onNotice: (m) => notes.push(m) },
      stack,
    );
    expect(result.cause).toBeUndefined();
    expect(result).toMatchObject({
      status: 'succeeded',
      numTasks: 3,
      image: repositoryTag,
      stateTransitions: 8,
    });
    expect(notes.join('\n')).toContain(`stage containers of ${repositoryTag}`);
    // the stand-in ECR pinned the tag to the local image's id; every job ran that revision
    const pinned = `${stack.prepareConfig.repositoryUri}@${inspectImage(BUILT, '{{.Id}}')}`;
    expect(result.jobs.map((j) => [j.stage, j.image, j.command, j.arraySize])).toEqual([
      ['builder', pinned, ['builder'], undefined],
      ['runner', pinned, ['runner'], 3],
      ['output', pinned, ['output'], undefined],
    ]);
    expect(result.jobs.flatMap((j) => j.attempts.map((a) => a.exitCode))).toEqual([0, 0, 0, 0, 0]);
    const layout = new RunLayout(expId, 'p1');
    expect(await storage.list(layout.resultsPrefix)).toHaveLength(3);
    const outputs = await storage.list(layout.outputsPrefix);
    expect(outputs.filter((k) => k.endsWith('/index.json'))).toHaveLength(1);
    expect((await readRunRecord(storage, layout))?.stageCode).toEqual({
      kind: 'image',
      image: repositoryTag,
    });
  });

  it("refuses a local-only image name at PrepareRun, before any container, with PrepareRun's message", async () => {
    const expId = 'byo/local-name';
    const experimentDir = await experimentNaming(expId, 'python-model:local');
    const result = await runRehearsal({ expId, runId: 'p2', experimentDir }, setup(), stack);
    expect(result).toMatchObject({ status: 'failed', error: 'Epycloud.VALIDATION' });
    expect(result.statesEntered).toEqual(['PrepareRun']);
    expect(result.cause).toContain('imageUri "python-model:local"');
    expect(result.cause).toContain(`name it ${stack.prepareConfig.repositoryUri}:<tag>`);
    expect(result.jobs).toEqual([]);
  });

  it('fails at PrepareRun when the stack repository does not hold the tag (push it first)', async () => {
    const expId = 'byo/unpushed';
    const missing = `${stack.prepareConfig.repositoryUri}:not-pushed`;
    const experimentDir = await experimentNaming(expId, missing);
    const result = await runRehearsal({ expId, runId: 'p3', experimentDir }, setup(), stack);
    expect(result).toMatchObject({ status: 'failed', error: 'Epycloud.VALIDATION' });
    expect(result.cause).toMatch(
      /Image tag "not-pushed" not found in ECR repository .*push it first/,
    );
    expect(result.jobs).toEqual([]);
  });
});
