import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { Backend, WorkflowOptions, WorkflowResult } from '../../../lib/backend/types.js';
import { ConfigError } from '../../../lib/errors.js';
import type { LoadedSettings, Source } from '../../../lib/settings/load.js';
import type { Settings } from '../../../lib/settings/schema.js';
import { registerConfig } from '../../../cli/commands/config.js';
import { registerRun } from '../../../cli/commands/run.js';
import type { CommandDeps } from '../../../cli/deps.js';
import type { BackendOptions } from '../../../cli/options.js';
import { installSettings } from '../../../cli/settings-hook.js';

const DONE: WorkflowResult = {
  status: 'succeeded',
  backend: 'local',
  runtime: 'process',
  expId: 'x',
  runId: 'r1',
  numTasks: 1,
  durationsMs: { builder: 1, runner: 1, output: 1 },
  totalMs: 3,
  failedTasks: [],
  retriedTasks: [],
};
const PROJECT: Source = { layer: 'project', file: '/repo/epycloud.yaml' };

/** Settings as the loader would give them, every value from `source`. */
function settings(values: Settings, source: Source = PROJECT): LoadedSettings {
  const entries = Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k, { value: v, source }]),
  );
  return { values, entries, profiles: {}, files: { user: '/home/u/.config/epycloud/config.yaml' } };
}

/** `run workflow` against a recording back end, with injected settings. */
function harness(loaded: LoadedSettings | Error) {
  const calls: { backend: BackendOptions; workflow?: WorkflowOptions }[] = [];
  let loads = 0;
  const backend = (options: BackendOptions): Backend => {
    const call: (typeof calls)[number] = { backend: options };
    calls.push(call);
    return { runWorkflow: async (o: WorkflowOptions) => ((call.workflow = o), DONE) } as never;
  };
  const deps = (): CommandDeps =>
    ({
      backend,
      stdout: () => {},
      stderr: () => {},
      stderrIsTTY: false,
      env: {},
      cwd: '/',
    }) as never;
  const program = new Command('epycloud').exitOverride().configureOutput({ writeErr: () => {} });
  registerRun(program, deps);
  program
    .command('noop')
    .option('--json')
    .action(() => {});
  registerConfig(program, deps);
  installSettings(program, {}, '/repo', async () => {
    loads += 1;
    if (loaded instanceof Error) throw loaded;
    return loaded;
  });
  const parse = (...argv: string[]) => program.parseAsync(['node', 'epycloud', ...argv]);
  return { calls, parse, loads: () => loads };
}

describe('installSettings: settings as option defaults', () => {
  it('fills every option no flag gave; mode: local acts as --local', async () => {
    const h = harness(
      settings({ mode: 'local', runtime: 'process', parallelism: 3, retries: 0, local_dir: '/p' }),
    );
    await h.parse('run', 'workflow', '--exp-id', 'x');
    expect(h.calls[0]!.backend).toMatchObject({ local: true, runtime: 'process', localDir: '/p' });
    expect(h.calls[0]!.workflow).toMatchObject({ parallelism: 3, retries: 0 });
  });

  it('lets flags win over the settings', async () => {
    const h = harness(settings({ mode: 'local', runtime: 'process', parallelism: 3, retries: 0 }));
    await h.parse('run', 'workflow', '--exp-id', 'x', '--runtime', 'docker', '--retries', '5');
    expect(h.calls[0]!.backend).toMatchObject({ local: true, runtime: 'docker' });
    expect(h.calls[0]!.workflow).toMatchObject({ parallelism: 3, retries: 5 });
  });

  it('fills the cloud target: aws_profile as --profile, region, stack prefix', async () => {
    const env: Source = { layer: 'env', name: 'EPYCLOUD_REGION' };
    const h = harness(
      settings({ aws_profile: 'research', region: 'eu-west-1', stack_prefix: 'P' }, env),
    );
    await h.parse('run', 'workflow', '--exp-id', 'x');
    expect(h.calls[0]!.backend).toMatchObject({
      profile: 'research',
      region: 'eu-west-1',
      stackPrefix: 'P',
    });
  });

  it('runs on AWS with --cloud over mode: local, and refuses --local --cloud', async () => {
    const h = harness(settings({ mode: 'local' }));
    await h.parse('run', 'workflow', '--exp-id', 'x', '--cloud');
    expect(h.calls[0]!.backend.local).toBeFalsy();
    await expect(h.parse('run', 'workflow', '--exp-id', 'x', '--local', '--cloud')).rejects.toThrow(
      /'--cloud' cannot be used with option '--local'/,
    );
  });

  it("leaves built-in defaults to the commands' own", async () => {
    const h = harness(settings({ retries: 9, mode: 'local' }, { layer: 'default' }));
    await h.parse('run', 'workflow', '--exp-id', 'x', '--local');
    expect(h.calls[0]!.workflow).toMatchObject({ retries: 2 });
  });

  it('loads the settings once, and never for a command no setting fills', async () => {
    const h = harness(new ConfigError('Invalid settings', ['/repo/epycloud.yaml: mode: bad']));
    await expect(h.parse('run', 'workflow', '--exp-id', 'x')).rejects.toThrow(/mode: bad/);
    expect(h.loads()).toBe(1);
    await expect(h.parse('config', 'get', 'nope')).rejects.toThrow(/unknown key "nope"/);
    await h.parse('noop', '--json');
    expect(h.loads()).toBe(1);
  });
});
