import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV, stageEnvironment, TASK_INDEX_VARS } from '../../../lib/contract/env.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { processLauncher } from '../../../lib/local/launchers.js';
import { localPaths } from '../../../lib/host/paths.js';
import { bucketPath } from '../../../lib/local/run-state.js';
import { addSmallExperiment, runCli, summary, tempLocalDir } from './helpers.js';
import { expectOutputs } from './outputs.js';

let local: Awaited<ReturnType<typeof tempLocalDir>>;
let small: string;
const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli(
    [
      'run',
      'workflow',
      '--local',
      '--runtime',
      'process',
      '--local-dir',
      local.dir,
      '--json',
      ...args,
    ],
    env,
  );

beforeAll(async () => {
  local = await tempLocalDir();
  small = await addSmallExperiment(local.dir);
});
afterAll(async () => local.cleanup());

describe('local runs with --runtime process', () => {
  it('runs the one-state SEIR example end to end', async () => {
    const run = await cli(['--exp-id', 'examples/seir-ma']);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = summary(run);
    expect(result).toMatchObject({ numTasks: 1, runtime: 'process', failedTasks: [] });
    await expectOutputs(result, ['US-MA']);
    const report = await runCli([
      'report',
      '--local',
      '--local-dir',
      local.dir,
      '--exp-id',
      'examples/seir-ma',
      '--json',
    ]);
    expect(report.exitCode, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({
      runId: result.runId,
      report: join(result.outputs!, 'report.html'),
    });
  });

  it('runs the sampling example (N >= 20) with its tasks in parallel', async () => {
    const run = await cli(['--exp-id', 'examples/flu-states-sampling', '--parallelism', '2']);
    expect(run.exitCode, run.stderr).toBe(0);
    const result = summary(run);
    expect(result.numTasks).toBeGreaterThanOrEqual(20);
    expect(result.runner).toMatchObject({ tasksRun: result.numTasks, parallelism: 2 });
    expect(Object.keys(result.durationsMs).sort()).toEqual(['builder', 'output', 'runner']);
    await expectOutputs(result, ['US-MA', 'US-NY', 'US-TX', 'US-WA']);
    expect(run.stderr).toMatch(/runner: task \d+ done in/);
  });

  it('retries a task that fails its first attempt, and the run succeeds', async () => {
    const run = await cli(['--exp-id', small, '--run-id', 'retry-once'], {
      EPYCLOUD_FAULT_TASKS: '2',
      EPYCLOUD_FAULT_ATTEMPTS: '1',
    });
    expect(run.exitCode, run.stderr).toBe(0);
    const result = summary(run);
    expect(result).toMatchObject({
      status: 'succeeded',
      numTasks: 4,
      retriedTasks: [2],
      failedTasks: [],
    });
    const log = await readFile(
      bucketPath(join(local.dir, 'bucket'), new RunLayout(small, 'retry-once').log('runner', 2)),
      'utf8',
    );
    expect(log.match(/=== epycloud: runner task 2/g)).toHaveLength(2);
    // the task's summary records its second attempt: the report counts it as retried
    const layout = new RunLayout(small, 'retry-once');
    const task = JSON.parse(
      await readFile(bucketPath(join(local.dir, 'bucket'), layout.summary('runner', 2)), 'utf8'),
    ) as { attempt: number };
    expect(task.attempt).toBe(2);
    const report = await readFile(join(result.outputs!, 'report.html'), 'utf8');
    expect(report).toMatch(/Retried tasks[\s\S]{0,200}2 \(2 attempts\)/);
  });

  it('stops before Stage C naming the indexes that keep failing, then resumes only those', async () => {
    const layout = new RunLayout(small, 'keeps-failing');
    const failing = await cli(['--exp-id', small, '--run-id', layout.runId, '--retries', '1'], {
      EPYCLOUD_FAULT_TASKS: '1,3',
    });
    expect(failing.exitCode).toBe(5);
    expect(summary(failing)).toMatchObject({ status: 'failed', failedTasks: [1, 3] });
    expect(failing.stderr).toMatch(
      /task\(s\) 1, 3 of 4 failed after 2 attempt\(s\); Stage output did not run/,
    );
    const bucket = join(local.dir, 'bucket');
    await expect(stat(bucketPath(bucket, layout.outputsPrefix))).rejects.toThrow();
    await expect(stat(bucketPath(bucket, layout.log('output')))).rejects.toThrow();

    const resumed = await cli(['--exp-id', small, '--resume', layout.runId]);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const result = summary(resumed);
    expect(result).toMatchObject({
      status: 'succeeded',
      runId: layout.runId,
      runner: { tasksRun: 2 },
    });
    expect(result.durationsMs.builder).toBeUndefined();
    await expectOutputs(result, ['US-MA', 'US-NY']);
    expect(resumed.stderr).toMatch(/2 of 4 results kept/);
  });

  it('runs one Stage B task alone with each task-index variable, to the same bytes', async () => {
    const runId = 'single-tasks';
    const made = await cli(['--exp-id', small, '--run-id', runId, '--skip-output']);
    expect(made.exitCode, made.stderr).toBe(0);
    const paths = localPaths(local.dir, process.cwd());
    const layout = new RunLayout(small, runId);
    const launcher = processLauncher({ paths, hostEnv: process.env });
    for (const [i, name] of TASK_INDEX_VARS.entries()) {
      const file = bucketPath(paths.bucketDir, layout.result(i + 1));
      const before = await readFile(file);
      await rm(file);
      const env: Record<string, string> = {
        ...stageEnvironment({
          mode: 'local',
          expId: small,
          runId,
          localBucketDir: paths.bucketDir,
        }),
        [name]: String(i + 1),
      };
      expect(env[ENV.taskIndex] === undefined || name === ENV.taskIndex).toBe(true);
      const { exitCode } = await launcher.launch({
        stage: 'runner',
        env,
        logFile: join(local.dir, `single-${name}.log`),
      });
      expect(exitCode, name).toBe(0);
      expect((await readFile(file)).equals(before), name).toBe(true);
    }
  });

  it('runs a job alone from the CLI and shows its log', async () => {
    const layout = new RunLayout(small, 'single-tasks');
    await rm(bucketPath(join(local.dir, 'bucket'), layout.result(0)));
    const job = await runCli([
      'run',
      'job',
      '--local',
      '--runtime',
      'process',
      '--local-dir',
      local.dir,
      '--stage',
      'B',
      '--exp-id',
      small,
      '--run-id',
      layout.runId,
      '--task-index',
      '0',
    ]);
    expect(job.exitCode, job.stderr).toBe(0);
    expect(await stat(bucketPath(join(local.dir, 'bucket'), layout.result(0)))).toBeTruthy();
    const logs = await runCli([
      'logs',
      '--local',
      '--local-dir',
      local.dir,
      '--exp-id',
      small,
      '--run-id',
      layout.runId,
      '--stage',
      'B',
      '--task-index',
      '0',
    ]);
    expect(logs.exitCode, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/==> runner task 0 \(.*runner_00000\.log\) <==/);
    expect(logs.stdout).toMatch(/"task_index":0/);
    const list = await runCli(['experiment', 'list', '--local', '--local-dir', local.dir]);
    expect(list.stdout).toMatch(/tests\/small-sampling: 3 run\(s\)/);
    expect(list.stdout).toMatch(/keeps-failing {2}complete/);
  });

  it('says plainly when no Docker engine answers, how to proceed, and writes nothing', async () => {
    const run = await runCli(
      [
        'run',
        'workflow',
        '--local',
        '--local-dir',
        local.dir,
        '--exp-id',
        'examples/seir-ma',
        '--run-id',
        'no-engine',
      ],
      {
        DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      },
    );
    expect(run.exitCode).toBe(6);
    expect(run.stderr).toMatch(/No Docker engine answers/);
    expect(run.stderr).toMatch(/scripts\/docker-engine\.sh start/);
    expect(run.stderr).toMatch(/--runtime process/);
    await expect(
      stat(
        bucketPath(
          join(local.dir, 'bucket'),
          new RunLayout('examples/seir-ma', 'no-engine').prefix,
        ),
      ),
    ).rejects.toThrow();
  });
});
