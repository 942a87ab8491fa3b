import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WorkflowResult } from '../../../lib/backend/types.js';
import { summaryOfLocalRun } from '../../../lib/notify/from-workflow.js';
import { notifyRunEnd } from '../../../lib/notify/targets.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

const result: WorkflowResult = {
  status: 'succeeded',
  backend: 'local',
  runtime: 'process',
  expId: 'examples/seir-ma',
  runId: 'r1',
  numTasks: 4,
  outputs: '/data/bucket/examples/seir-ma/runs/r1/outputs/20260101-000000',
  durationsMs: {},
  totalMs: 1234.4,
  failedTasks: [],
  retriedTasks: [],
};
const options = { timeoutMs: 2000, attempts: 2, retryDelayMs: 10 };

let server: WebhookServer;
beforeAll(async () => {
  server = await startWebhookServer();
});
afterEach(() => server.reset());
afterAll(async () => server.stop());

describe('summaryOfLocalRun', () => {
  it('links the output folder and its report', () => {
    expect(summaryOfLocalRun(result, { referenceDate: '2026-01-03' })).toEqual({
      backend: 'local',
      expId: 'examples/seir-ma',
      runId: 'r1',
      state: 'succeeded',
      referenceDate: '2026-01-03',
      numTasks: 4,
      durationMs: 1234,
      links: {
        outputs: { path: result.outputs },
        report: { path: `${result.outputs}/report.html` },
      },
    });
  });

  it('tells a partial run (some tasks failed) from a failed one', () => {
    const failed = { ...result, status: 'failed' as const, outputs: undefined, failure: 'boom' };
    expect(summaryOfLocalRun({ ...failed, failedTasks: [1, 2] })).toMatchObject({
      state: 'partial',
      failedTasks: { count: 2, indexes: [1, 2] },
      failure: 'boom',
      links: {},
    });
    expect(summaryOfLocalRun({ ...failed, failedTasks: [0, 1, 2, 3] }).state).toBe('failed');
    expect(summaryOfLocalRun(failed).state).toBe('failed');
  });
});

describe('notifyRunEnd', () => {
  it('posts the generic payload and the Slack one, each to its own URL', async () => {
    const warnings: string[] = [];
    await notifyRunEnd(
      { webhook: server.url('/generic'), slackWebhook: server.url('/slack') },
      summaryOfLocalRun(result),
      { warn: (t) => warnings.push(t), options },
    );
    expect(warnings).toEqual([]);
    const byPath = Object.fromEntries(server.posts.map((p) => [p.path, p.body]));
    expect(byPath['/generic']).toMatchObject({
      event: 'epycloud.run.ended',
      version: 1,
      run: { expId: 'examples/seir-ma', runId: 'r1', state: 'succeeded' },
    });
    expect(byPath['/slack']).toMatchObject({ text: expect.stringContaining('r1: succeeded') });
  });

  it('retries a 500 and delivers on the 200', async () => {
    server.script(500, 200);
    const warnings: string[] = [];
    await notifyRunEnd({ webhook: server.url('/hook') }, summaryOfLocalRun(result), {
      warn: (t) => warnings.push(t),
      options,
    });
    expect(warnings).toEqual([]);
    expect(server.posts).toHaveLength(2);
  });

  it('warns, never throws, when a target fails, and still posts to the other', async () => {
    server.script(500, 500);
    const warnings: string[] = [];
    await notifyRunEnd(
      { webhook: server.url('/secret-generic'), slackWebhook: 'https://' },
      summaryOfLocalRun(result),
      { warn: (t) => warnings.push(t), options },
    );
    expect(warnings).toHaveLength(2);
    expect(warnings.join('')).toContain(`Webhook ${server.origin} failed after 2 attempt(s)`);
    expect(warnings.join('')).not.toContain('secret-generic');
    expect(server.posts).toHaveLength(2);
  });

  it('posts nothing without targets', async () => {
    await notifyRunEnd({}, summaryOfLocalRun(result), { warn: () => {}, options });
    expect(server.posts).toEqual([]);
  });
});
