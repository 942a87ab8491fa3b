import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { runCli, summary } from '../local/helpers.js';
import { buildPythonModel, inspectImage, prepareDocker } from './docker-env.js';

/** The image examples/python-model/experiment/config/stages.yaml names. */
const IMAGE = 'python-model:local';
const EXP = 'tests/python-model';
const ABSENT = 'tests/absent-image';
const user = { uid: process.getuid?.() ?? 1000, gid: process.getgid?.() ?? 1000 };

let release: () => void = () => {};
let dir: string;
const experiment = (expId: string) => join(dir, 'forecast', 'experiments', ...expId.split('/'));
const runDir = (expId: string, runId: string) =>
  join(dir, 'bucket', new RunLayout(expId, runId).prefix);
const cli = (...args: string[]) =>
  runCli([...args, '--local', '--local-dir', dir, '--runtime', 'docker']);
const composeContainers = () =>
  spawnSync('docker', ['ps', '-aq', '--filter', 'label=com.docker.compose.project=epycloud'], {
    encoding: 'utf8',
  }).stdout.trim();

beforeAll(async () => {
  release = await prepareDocker([]);
  const build = buildPythonModel(IMAGE);
  if (build.status !== 0) throw new Error(`docker build of ${IMAGE} failed:\n${build.stderr}`);
  dir = await mkdtemp(join(tmpdir(), 'epycloud-stage-image-it-'));
  const example = join(PROJECT_ROOT, 'examples', 'python-model', 'experiment');
  await cp(example, experiment(EXP), { recursive: true });
  await cp(example, experiment(ABSENT), { recursive: true });
  const stages = join(experiment(ABSENT), 'config', 'stages.yaml');
  await writeFile(
    stages,
    (await readFile(stages, 'utf8')).replace(IMAGE, 'epycloud-test-absent:never'),
  );
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  release();
});

describe('an experiment with its own stage image, run locally through Docker Compose', () => {
  it('runs unchanged: every stage in the declared image, N results, the model’s output, the image recorded', async () => {
    const run = await cli('run', 'workflow', '--exp-id', EXP, '--run-id', 'py1', '--json');
    expect(run.exitCode, run.stderr).toBe(0);
    expect(summary(run)).toMatchObject({
      status: 'succeeded',
      runtime: 'docker',
      image: IMAGE,
      numTasks: 3,
      failedTasks: [],
    });
    const root = runDir(EXP, 'py1');
    expect((await readdir(join(root, 'runner-artifacts'))).sort()).toEqual([
      'result_00000.arrow',
      'result_00001.arrow',
      'result_00002.arrow',
    ]);
    const outputs = summary(run).outputs!;
    expect((await readdir(outputs)).sort()).toEqual(['index.json', 'quantiles.csv']);
    const table = (await readFile(join(outputs, 'quantiles.csv'), 'utf8')).trim().split('\n');
    expect(table[0]).toBe('location,day,q05,median,q95');
    expect(table).toHaveLength(1 + 3 * 40);
    expect(JSON.parse(await readFile(join(outputs, 'index.json'), 'utf8'))).toMatchObject({
      numTasks: 3,
      resultsUsed: 3,
    });
    const owner = await stat(join(outputs, 'index.json'));
    expect([owner.uid, owner.gid]).toEqual([user.uid, user.gid]);
    const record = JSON.parse(await readFile(join(root, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ state: 'succeeded', runtime: 'docker' });
    expect(record.stageCode).toEqual({
      kind: 'image',
      image: IMAGE,
      digest: inspectImage(IMAGE, '{{.Id}}'),
    });
    const log = await readFile(join(root, 'logs', 'runner_00001.log'), 'utf8');
    expect(log).toMatch(new RegExp(`image ${IMAGE}, container epycloud-runner-1-`));
    expect(log).toMatch(/"task_index": ?1/);
    expect(composeContainers()).toBe('');
  });

  it('runs one task again with run job, in the run’s image, to the same bytes', async () => {
    const result = join(runDir(EXP, 'py1'), 'runner-artifacts', 'result_00001.arrow');
    const before = await readFile(result);
    await rm(result);
    await rm(join(runDir(EXP, 'py1'), 'summaries', 'runner_00001.json'));
    const job = await cli(
      ...['run', 'job', '--exp-id', EXP, '--run-id', 'py1', '--stage', 'runner'],
      ...['--task-index', '1', '--json'],
    );
    expect(job.exitCode, job.stderr).toBe(0);
    expect(summary(job)).toMatchObject({ status: 'succeeded', runtime: 'docker', numTasks: 3 });
    expect(await readFile(result)).toEqual(before);
    expect(composeContainers()).toBe('');
  });

  it('refuses an image that is not on this machine before writing anything, saying how to get it', async () => {
    const run = await cli('run', 'workflow', '--exp-id', ABSENT, '--run-id', 'gone');
    expect(run.exitCode).toBe(6);
    expect(run.stderr).toMatch(/Docker image epycloud-test-absent:never not found/);
    expect(run.stderr).toMatch(/docker build -t epycloud-test-absent:never/);
    expect(run.stderr).toMatch(/docker pull epycloud-test-absent:never/);
    await expect(stat(join(dir, 'bucket', ABSENT))).rejects.toThrow(/ENOENT/);
    const images = spawnSync('docker', ['image', 'inspect', 'epycloud-test-absent:never']);
    expect(images.status).not.toBe(0);
  });

  it('refuses --runtime process before writing anything: the experiment runs in its own image', async () => {
    const run = await runCli([
      ...['run', 'workflow', '--local', '--local-dir', dir, '--runtime', 'process'],
      ...['--exp-id', EXP, '--run-id', 'as-processes'],
    ]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/own stage image python-model:local/);
    expect(run.stderr).toMatch(/--runtime docker/);
    await expect(stat(runDir(EXP, 'as-processes'))).rejects.toThrow(/ENOENT/);
  });
});
