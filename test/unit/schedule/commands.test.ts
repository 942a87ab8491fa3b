import { Command } from 'commander';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Backend, WorkflowOptions } from '../../../lib/backend/types.js';
import { registerSchedule, type ScheduleCommandDeps } from '../../../cli/commands/schedule.js';
import { cloudSession } from '../../../lib/cloud/session.js';
import { executionInputSchema, STACK_OUTPUTS } from '../../../lib/contract/execution.js';
import { ConfigError, NotFoundError, ValidationError } from '../../../lib/errors.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { createS3Client, S3Driver, Storage } from '../../../lib/storage/index.js';
import { startS3Server, type S3Server } from '../../support/s3-server.js';
import { DEPLOYMENT, fakeWithStacks } from '../cloud/fixtures.js';
import { FakeScheduler } from './fake-scheduler.js';

const GROUP = 'EpyclouddevPipeline-Schedules-Group-E85181DE';
const ROLE = 'arn:aws:iam::123456789012:role/Epycloud-dev-Pipeline-SchedulesRole';
const EXP = 'examples/seir-ma';

let s3: S3Server;
let localDir: string;
beforeAll(async () => {
  s3 = await startS3Server([DEPLOYMENT.bucketName]);
}, 30_000);
afterAll(async () => {
  await s3?.stop();
});
beforeEach(async () => {
  localDir = await mkdtemp(join(tmpdir(), 'epycloud-schedule-'));
  await cp(
    join(PROJECT_ROOT, 'local/forecast/experiments', EXP),
    join(localDir, 'forecast/experiments', EXP),
    { recursive: true },
  );
});
afterEach(async () => {
  await rm(localDir, { recursive: true, force: true });
});

/** A cloud deployment (fake control plane, s3rver bucket) with or without the schedule outputs, and a fake local back end. */
function setup(withSchedules = true) {
  const aws = fakeWithStacks();
  if (withSchedules)
    aws.stacks
      .find((s) => s.StackName === 'Epycloud-dev-Pipeline')
      ?.Outputs?.push(
        { OutputKey: STACK_OUTPUTS.scheduleGroupName, OutputValue: GROUP },
        { OutputKey: STACK_OUTPUTS.schedulerRoleArn, OutputValue: ROLE },
      );
  const scheduler = new FakeScheduler(GROUP);
  const clients = { ...aws.clients, s3: createS3Client(s3.env) };
  const out: string[] = [];
  const err: string[] = [];
  const runs: WorkflowOptions[] = [];
  const backend = {
    name: 'local',
    runWorkflow: async (options: WorkflowOptions) => {
      runs.push(options);
      return { status: 'succeeded', runId: `r${runs.length}` };
    },
  } as unknown as Backend;
  const stop = new AbortController();
  const deps: ScheduleCommandDeps = {
    local: () => ({
      backend: () => backend,
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
      stderrIsTTY: false,
      env: { EPYCLOUD_LOCAL_DIR: localDir },
      cwd: localDir,
    }),
    cloud: () => ({
      session: (o) => cloudSession({}, o.stackPrefix, clients),
      stdout: (t) => out.push(t),
      stderr: () => {},
      env: {},
      cwd: localDir,
    }),
    scheduler: async () => scheduler.client,
    signal: stop.signal,
  };
  const run = async (...argv: string[]) => {
    out.length = 0;
    const program = new Command('epycloud').exitOverride();
    registerSchedule(program, deps);
    await program.parseAsync(['node', 'epycloud', 'schedule', ...argv]);
    return out.join('');
  };
  const storage = new Storage(new S3Driver(clients.s3, DEPLOYMENT.bucketName));
  /** Resolves once `schedule run` has started its timers (it says so on stderr). */
  const started = async () => {
    while (!err.join('').includes('Ctrl-C stops')) await new Promise((r) => setImmediate(r));
  };
  return { run, scheduler, storage, runs, stop, started };
}

const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('schedule commands in the cloud (fake EventBridge Scheduler, s3rver)', () => {
  it('create: validates, uploads the snapshot under the schedule, then creates the schedule targeting the state machine', async () => {
    const { run, scheduler, storage } = setup();
    const text = await run(
      'create',
      '--exp-id',
      EXP,
      '--cron',
      '0 14 ? * WED *',
      '--reference-date',
      'auto',
    );
    expect(text).toMatch(/^Schedule examples-seir-ma created in EventBridge Scheduler group /);
    const made = scheduler.schedules.get(`${GROUP}/examples-seir-ma`)!;
    expect(made).toMatchObject({
      ScheduleExpression: 'cron(0 14 ? * WED *)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: DEPLOYMENT.stateMachineArn, RoleArn: ROLE },
    });
    const input = executionInputSchema.parse(JSON.parse(made.Target!.Input!));
    expect(input).toMatchObject({
      expId: EXP,
      referenceDate: 'auto',
      source: { schedule: 'examples-seir-ma' },
    });
    expect(input.runId).toBeUndefined();
    const keys = await storage.list(`${EXP}/schedules/examples-seir-ma/experiment/`);
    expect(keys).toContain(`${EXP}/schedules/examples-seir-ma/experiment/snapshot-manifest.json`);
    expect(keys).toContain(`${EXP}/schedules/examples-seir-ma/experiment/config/model.yaml`);
    expect(await storage.list(`${EXP}/runs/`)).toEqual([]);
  });

  it('create: a schedule of an experiment run by its own image starts its runs with that image and its commands', async () => {
    const { run, scheduler } = setup();
    const own = join(localDir, 'forecast/experiments/own/python/config');
    await mkdir(own, { recursive: true });
    await writeFile(join(own, 'model.json'), '{"beta": 0.4}');
    await writeFile(
      join(own, 'stages.yaml'),
      `stages:\n  image: ${DEPLOYMENT.repositoryUri}:py-1\n  commands:\n    runner: [run-task]\n`,
    );
    await run('create', '--exp-id', 'own/python', '--cron', '0 14 ? * WED *');
    const made = scheduler.schedules.get(`${GROUP}/own-python`)!;
    const input = executionInputSchema.parse(JSON.parse(made.Target!.Input!));
    expect(input).toMatchObject({
      imageUri: `${DEPLOYMENT.repositoryUri}:py-1`,
      commands: { builder: ['builder'], runner: ['run-task'], output: ['output'] },
      source: { schedule: 'own-python' },
    });
    // an image no cloud run could use is refused before anything is uploaded or created
    await writeFile(join(own, 'stages.yaml'), 'stages:\n  image: python-model:local\n');
    await expect(
      run('create', '--exp-id', 'own/python', '--cron', '0 14 ? * WED *', '--name', 'other'),
    ).rejects.toThrow(/python-model:local .*which no cloud run can use/);
    expect(scheduler.schedules.has(`${GROUP}/other`)).toBe(false);
  });

  it('refuses a bad cron, name or time zone before calling AWS', async () => {
    const { run, scheduler } = setup();
    for (const args of [
      ['--cron', '0 14 * * WED *'],
      ['--cron', '0 14 ? * WED *', '--name', 'bad name!'],
      ['--cron', '0 14 ? * WED *', '--timezone', 'Mars/Olympus'],
      ['--cron', '0 14 ? * WED *', '--reference-date', '2026-11-25'],
    ]) {
      const error = await failure(run('create', '--exp-id', EXP, ...args));
      expect(error, args.join(' ')).toBeInstanceOf(ValidationError);
    }
    expect(scheduler.calls).toEqual([]);
  });

  it('refuses a second schedule of the same name, keeping the first', async () => {
    const { run, scheduler } = setup();
    await run('create', '--exp-id', EXP, '--cron', '0 14 ? * WED *', '--name', 'weekly');
    const error = await failure(
      run('create', '--exp-id', EXP, '--cron', '0 9 ? * MON *', '--name', 'weekly'),
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('Schedule "weekly" exists');
    expect(scheduler.schedules.get(`${GROUP}/weekly`)?.ScheduleExpression).toBe(
      'cron(0 14 ? * WED *)',
    );
  });

  it('list, pause, resume and delete; an unknown name is NOT_FOUND', async () => {
    const { run, scheduler, storage } = setup();
    await run(
      'create',
      '--exp-id',
      EXP,
      '--cron',
      '0 14 ? * WED *',
      '--name',
      'weekly',
      '--timezone',
      'America/New_York',
    );
    const listed = JSON.parse(await run('list', '--json')) as {
      name: string;
      state: string;
      next: string;
    }[];
    expect(listed).toMatchObject([
      { name: 'weekly', state: 'ENABLED', expId: EXP, timezone: 'America/New_York' },
    ]);
    expect(listed[0]?.next).toMatch(/T(18|19):00Z$/);
    await run('pause', 'weekly');
    expect(scheduler.schedules.get(`${GROUP}/weekly`)?.State).toBe('DISABLED');
    expect(await run('list')).toMatch(
      /weekly\s+DISABLED\s+0 14 \? \* WED \*\s+America\/New_York\s+examples\/seir-ma\s+\(experiment\)\s+\(paused\)/,
    );
    await run('resume', 'weekly');
    const resumed = scheduler.schedules.get(`${GROUP}/weekly`)!;
    expect(resumed).toMatchObject({
      State: 'ENABLED',
      ScheduleExpressionTimezone: 'America/New_York',
    });
    await run('delete', 'weekly');
    expect(scheduler.schedules.size).toBe(0);
    expect(await storage.list(`${EXP}/schedules/weekly/`)).toEqual([]);
    for (const verb of ['delete', 'pause', 'resume']) {
      const error = await failure(run(verb, 'weekly'));
      expect(error, verb).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).exitCode).toBe(3);
    }
  });

  it('says how to get a schedule group when the deployment predates schedules', async () => {
    const { run } = setup(false);
    const error = await failure(run('list'));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('npx cdk deploy --all');
  });
});

describe('schedule commands --local', () => {
  it('keeps the schedules in <local dir>/schedules.yaml: create, list, pause, resume, delete', async () => {
    const { run, scheduler } = setup();
    await run(
      'create',
      '--local',
      '--local-dir',
      localDir,
      '--exp-id',
      EXP,
      '--cron',
      '30 6 ? * MON-FRI *',
    );
    const file = await readFile(join(localDir, 'schedules.yaml'), 'utf8');
    expect(file).toContain('name: examples-seir-ma');
    expect(file).toContain('cron: 30 6 ? * MON-FRI *');
    await run('pause', '--local', '--local-dir', localDir, 'examples-seir-ma');
    expect(
      JSON.parse(await run('list', '--local', '--local-dir', localDir, '--json')),
    ).toMatchObject([{ name: 'examples-seir-ma', state: 'DISABLED', next: null }]);
    await run('resume', '--local', '--local-dir', localDir, 'examples-seir-ma');
    await run('delete', '--local', '--local-dir', localDir, 'examples-seir-ma');
    expect(await run('list', '--local', '--local-dir', localDir)).toMatch(/^No schedules in /);
    expect(scheduler.calls).toEqual([]);
  });

  it('refuses an experiment that does not validate, writing nothing', async () => {
    const { run } = setup();
    const error = await failure(
      run(
        'create',
        '--local',
        '--local-dir',
        localDir,
        '--exp-id',
        'examples/none',
        '--cron',
        '0 14 ? * WED *',
      ),
    );
    expect(error).toBeInstanceOf(ValidationError);
    await expect(readFile(join(localDir, 'schedules.yaml'))).rejects.toThrow(/ENOENT/);
  });
});

describe('schedule run (fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts a local run through the back end at the given minute and not before, then stops on the signal', async () => {
    const { run, runs, stop, started } = setup();
    await run(
      'create',
      '--local',
      '--local-dir',
      localDir,
      '--exp-id',
      EXP,
      '--cron',
      '0 14 ? * WED *',
      '--reference-date',
      'auto',
    );
    vi.useFakeTimers({
      now: new Date('2026-11-25T13:58:00Z'),
      toFake: ['setTimeout', 'clearTimeout', 'Date'],
    });
    const running = run('run', '--local-dir', localDir, '--parallelism', '2');
    await started();
    await vi.advanceTimersByTimeAsync(119_000);
    expect(runs).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(runs).toEqual([{ expId: EXP, parallelism: 2, retries: 2, referenceDate: '2026-11-28' }]);
    stop.abort();
    const text = await running;
    expect(text).toContain(
      '2026-11-25T14:00:00Z examples-seir-ma: starting a run of examples/seir-ma (reference date 2026-11-28)',
    );
    expect(text).toContain('examples-seir-ma: run r1 succeeded');
  });
});
