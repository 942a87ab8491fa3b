import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { registerRun } from '../../../cli/commands/run.js';
import type { CommandDeps } from '../../../cli/deps.js';
import type { Backend, WorkflowResult } from '../../../lib/backend/types.js';
import { StageError } from '../../../lib/errors.js';
import type { NotifyTargets } from '../../../lib/notify/targets.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

const succeeded: WorkflowResult = {
  status: 'succeeded',
  backend: 'local',
  runtime: 'process',
  expId: 'examples/seir-ma',
  runId: 'r1',
  numTasks: 1,
  outputs: '/b/out',
  durationsMs: {},
  totalMs: 60,
  failedTasks: [],
  retriedTasks: [],
};

let server: WebhookServer;
beforeAll(async () => {
  server = await startWebhookServer();
});
afterEach(() => server.reset());
afterAll(async () => server.stop());

/** `run workflow` over a fake back end answering `result`, its notify targets injected. */
function harness(result: WorkflowResult, targets: () => Promise<NotifyTargets>) {
  let stderr = '';
  const backend: Backend = {
    name: result.backend,
    runWorkflow: async () => result,
    runJob: async () => result,
    listExperiments: async () => [],
    logs: async () => [],
    status: async () => ({ backend: 'local', ok: true, facts: [] }),
  };
  const deps = (): CommandDeps => ({
    backend: () => backend,
    stdout: () => {},
    stderr: (t) => (stderr += t),
    stderrIsTTY: false,
    env: {},
    cwd: '/work',
    notifyTargets: targets,
  });
  const program = new Command('epycloud').exitOverride();
  registerRun(program, deps);
  const parse = (...argv: string[]) =>
    program.parseAsync(['node', 'epycloud', 'run', 'workflow', '--exp-id', 'x', ...argv]);
  return { parse, stderr: () => stderr };
}

const toServer = async (): Promise<NotifyTargets> => ({ webhook: server.url('/hook') });

describe('run workflow: the run-end notification', () => {
  it('posts the summary of a local run that succeeded', async () => {
    await harness(succeeded, toServer).parse('--local', '--reference-date', '2026-01-03');
    expect(server.posts.map((p) => p.body)).toMatchObject([
      {
        event: 'epycloud.run.ended',
        run: { runId: 'r1', state: 'succeeded', referenceDate: '2026-01-03' },
      },
    ]);
  });

  it('posts a failed run too, and the command still fails with the run', async () => {
    const failed = { ...succeeded, status: 'failed' as const, failure: 'Stage builder failed' };
    await expect(harness(failed, toServer).parse('--local')).rejects.toBeInstanceOf(StageError);
    expect(server.posts.map((p) => p.body)).toMatchObject([
      { run: { state: 'failed', failure: 'Stage builder failed' } },
    ]);
  });

  it('warns when the webhook fails, and the run succeeds all the same', async () => {
    server.script(404);
    const h = harness(succeeded, toServer);
    await expect(h.parse('--local')).resolves.toBeDefined();
    expect(h.stderr()).toMatch(/warning: run-end notification not delivered: .*HTTP 404/);
    expect(h.stderr()).not.toContain('/hook');
  });

  it('warns when the settings cannot be read, and the run succeeds all the same', async () => {
    const h = harness(succeeded, async () => {
      throw new Error('Invalid settings');
    });
    await h.parse('--local');
    expect(h.stderr()).toContain('warning: no run-end notification: Invalid settings');
  });

  it('posts nothing with --no-notify, for a dry run, or for a cloud run', async () => {
    await harness(succeeded, toServer).parse('--local', '--no-notify');
    await harness({ ...succeeded, status: 'planned' }, toServer).parse('--local', '--dry-run');
    await harness({ ...succeeded, backend: 'cloud', runtime: 'rehearsal' }, toServer).parse(
      '--rehearse',
    );
    expect(server.posts).toEqual([]);
  });
});
