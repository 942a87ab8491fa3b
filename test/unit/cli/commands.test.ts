import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type {
  Backend,
  JobOptions,
  WorkflowOptions,
  WorkflowResult,
} from '../../../lib/backend/types.js';
import { unconfiguredCloudBackend } from '../../support/backends.js';
import { ConfigError, StageError, ValidationError } from '../../../lib/errors.js';
import { registerBrowse } from '../../../cli/commands/browse.js';
import { localSettings, type CommandDeps } from '../../../cli/deps.js';
import { registerRun } from '../../../cli/commands/run.js';
import type { BackendOptions } from '../../../cli/options.js';

const succeeded: WorkflowResult = {
  status: 'succeeded',
  backend: 'local',
  runtime: 'process',
  expId: 'examples/seir-ma',
  runId: 'r1',
  numTasks: 1,
  durationsMs: { builder: 10, runner: 20, output: 30 },
  totalMs: 60,
  failedTasks: [],
  retriedTasks: [],
  outputs: '/b/out',
};

/** A program with the commands wired to a recording fake back end. */
function harness(result: WorkflowResult = succeeded) {
  const calls: {
    backend: BackendOptions;
    workflow?: WorkflowOptions;
    job?: JobOptions;
    logs?: unknown;
  }[] = [];
  let out = '';
  const deps = (): CommandDeps => ({
    backend: (options) => {
      const call: (typeof calls)[number] = { backend: options };
      calls.push(call);
      const fake: Backend = {
        name: 'local',
        runWorkflow: async (o) => ((call.workflow = o), result),
        runJob: async (o) => ((call.job = o), result),
        listExperiments: async () => [{ expId: 'examples/seir-ma', hasConfig: true, runs: [] }],
        logs: async (q) => (
          (call.logs = q),
          [{ stage: 'runner', taskIndex: 2, location: '/l', text: 'hello' }]
        ),
        status: async () => ({
          backend: 'local',
          ok: true,
          facts: [{ label: 'docker engine', value: 'running' }],
        }),
      };
      return options.local ? fake : unconfiguredCloudBackend();
    },
    stdout: (s) => (out += s),
    stderr: () => {},
    stderrIsTTY: false,
    env: {},
    cwd: '/work',
  });
  const program = new Command('epycloud').exitOverride();
  registerRun(program, deps);
  registerBrowse(program, deps);
  const parse = (...argv: string[]) => program.parseAsync(['node', 'epycloud', ...argv]);
  return { calls, parse, output: () => out };
}

describe('run workflow', () => {
  it('parses every option into the back end call', async () => {
    const h = harness();
    await h.parse(
      'run',
      'workflow',
      '--local',
      '--exp-id',
      'examples/seir-ma',
      '--run-id',
      'r1',
      '--skip-output',
      '--parallelism',
      '3',
      '--retries',
      '0',
      '--runtime',
      'process',
      '--yes',
      '--local-dir',
      '/data',
    );
    expect(h.calls[0]!.backend).toMatchObject({
      local: true,
      runtime: 'process',
      localDir: '/data',
    });
    expect(h.calls[0]!.workflow).toMatchObject({
      expId: 'examples/seir-ma',
      runId: 'r1',
      skipOutput: true,
      parallelism: 3,
      retries: 0,
      yes: true,
      dryRun: false,
    });
    expect(h.output()).toMatch(/^Run r1 of examples\/seir-ma: succeeded/);
  });

  it('defaults: retries 2, parallelism = cores, no resume', async () => {
    const h = harness();
    await h.parse('run', 'workflow', '--local', '--exp-id', 'x');
    expect(h.calls[0]!.workflow).toMatchObject({ retries: 2, skipOutput: false });
    expect(h.calls[0]!.workflow!.parallelism).toBeGreaterThanOrEqual(1);
    expect(h.calls[0]!.workflow!.resume).toBeUndefined();
  });

  it('prints one JSON summary with --json', async () => {
    const h = harness();
    await h.parse('run', 'workflow', '--local', '--exp-id', 'x', '--json', '--resume', 'r1');
    expect(h.calls[0]!.workflow!.resume).toBe('r1');
    expect(JSON.parse(h.output())).toEqual(succeeded);
  });

  it('prints the summary, then fails with the reason when the run failed', async () => {
    const h = harness({
      ...succeeded,
      status: 'failed',
      failedTasks: [3, 7],
      failure: 'task(s) 3, 7 failed',
    });
    await expect(
      h.parse('run', 'workflow', '--local', '--exp-id', 'x', '--json'),
    ).rejects.toBeInstanceOf(StageError);
    expect(JSON.parse(h.output()).failedTasks).toEqual([3, 7]);
  });

  it('reports every bad option at once, by flag name', async () => {
    const h = harness();
    const error = await h
      .parse(
        'run',
        'workflow',
        '--local',
        '--exp-id',
        'x',
        '--parallelism',
        '0',
        '--retries',
        'two',
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(/--parallelism: expected an integer >= 1 \(got "0"\)/);
    expect((error as Error).message).toMatch(/--retries: expected an integer >= 0 \(got "two"\)/);
  });

  it('passes --reference-date, a Saturday, to the back end', async () => {
    const h = harness();
    await h.parse(
      'run',
      'workflow',
      '--local',
      '--exp-id',
      'x',
      '--reference-date',
      '2024-12-14',
      '--output-config',
      'o.yaml',
    );
    expect(h.calls[0]!.workflow).toMatchObject({
      referenceDate: '2024-12-14',
      outputConfigFile: 'o.yaml',
    });
    await h.parse('run', 'workflow', '--local', '--exp-id', 'x');
    expect(h.calls[1]!.workflow!.referenceDate).toBeUndefined();
  });

  it.each([
    ['2024-12-13', 'it is a Friday: expected a Saturday (2024-12-07 or 2024-12-14)'],
    ['2024-02-30', 'expected a real calendar date YYYY-MM-DD that is a Saturday'],
    ['12/14/2024', 'expected a real calendar date YYYY-MM-DD that is a Saturday'],
  ])(
    'rejects --reference-date %s with exit code 2, before calling the back end',
    async (value, why) => {
      const h = harness();
      const error = await h
        .parse('run', 'workflow', '--local', '--exp-id', 'x', '--reference-date', value)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).exitCode).toBe(2);
      expect((error as Error).message).toContain(`--reference-date: ${why} (got "${value}")`);
      expect(h.calls).toEqual([]);
    },
  );

  it('says clearly that the cloud back end is not configured without --local', async () => {
    const h = harness();
    const error = await h.parse('run', 'workflow', '--exp-id', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/cloud back end is not configured yet.*--local/);
  });
});

describe('run job', () => {
  it('accepts A|B|C and contract names for --stage, and task/num options', async () => {
    const h = harness();
    await h.parse(
      'run',
      'job',
      '--local',
      '--stage',
      'B',
      '--exp-id',
      'x',
      '--run-id',
      'r1',
      '--task-index',
      '4',
    );
    await h.parse(
      'run',
      'job',
      '--local',
      '--stage',
      'output',
      '--exp-id',
      'x',
      '--run-id',
      'r1',
      '--num-tasks',
      '20',
    );
    expect(h.calls[0]!.job).toMatchObject({ stage: 'runner', runId: 'r1', taskIndex: 4 });
    expect(h.calls[1]!.job).toMatchObject({ stage: 'output', numTasks: 20 });
  });

  it('passes --reference-date to Stage A, and rejects one that is not a Saturday', async () => {
    const h = harness();
    await h.parse(
      'run',
      'job',
      '--local',
      '--stage',
      'A',
      '--exp-id',
      'x',
      '--run-id',
      'r1',
      '--reference-date',
      '2024-12-14',
    );
    expect(h.calls[0]!.job).toMatchObject({ stage: 'builder', referenceDate: '2024-12-14' });
    const args = [
      'run',
      'job',
      '--local',
      '--stage',
      'A',
      '--exp-id',
      'x',
      '--run-id',
      'r1',
      '--reference-date',
      '2024-12-16',
    ];
    await expect(h.parse(...args)).rejects.toThrow(
      /--reference-date: it is a Monday: expected a Saturday/,
    );
  });

  it('rejects an unknown stage naming the accepted ones', async () => {
    const h = harness();
    await expect(
      h.parse('run', 'job', '--local', '--stage', 'D', '--exp-id', 'x', '--run-id', 'r1'),
    ).rejects.toThrow(/expected A, B, C, builder, runner or output/);
  });
});

describe('browsing commands', () => {
  it('logs passes the query; experiment list and status render', async () => {
    const h = harness();
    await h.parse('logs', '--local', '--exp-id', 'x', '--stage', 'B', '--task-index', '2');
    expect(h.calls[0]!.logs).toMatchObject({ expId: 'x', stage: 'runner', taskIndex: 2 });
    expect(h.output()).toContain('==> runner task 2 (/l) <==\nhello\n');
    await h.parse('experiment', 'list', '--local');
    expect(h.output()).toContain('examples/seir-ma: 0 run(s)');
    await h.parse('status', '--local');
    expect(h.output()).toMatch(/local back end\n {2}docker engine {2}running/);
  });
});

describe('localSettings', () => {
  it('takes flags over EPYCLOUD_LOCAL_DIR / EPYCLOUD_RUNTIME over defaults', () => {
    expect(localSettings({ local: true }, {})).toEqual({ localDir: './local', runtime: 'docker' });
    expect(
      localSettings({ local: true }, { EPYCLOUD_LOCAL_DIR: '/d', EPYCLOUD_RUNTIME: 'process' }),
    ).toEqual({
      localDir: '/d',
      runtime: 'process',
    });
    expect(
      localSettings(
        { local: true, localDir: '/f', runtime: 'docker' },
        { EPYCLOUD_LOCAL_DIR: '/d', EPYCLOUD_RUNTIME: 'process' },
      ),
    ).toEqual({
      localDir: '/f',
      runtime: 'docker',
    });
    expect(() => localSettings({ local: true }, { EPYCLOUD_RUNTIME: 'podman' })).toThrow(
      /EPYCLOUD_RUNTIME="podman" is invalid/,
    );
  });
});
