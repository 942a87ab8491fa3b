import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../../lambdas/notify-run/handler.js';
import { notifyExecutionEnd } from '../../../lambdas/notify-run/notify-execution.js';
import { ConfigError, TransientError } from '../../../lib/errors.js';
import { NOTIFY_CONFIG_VAR } from '../../../lib/notify/lambda-config.js';
import { startWebhookServer, type WebhookServer } from '../notify/webhook-server.js';
import { fakeSecretsManager } from './notify-run-secrets.js';

const EXECUTION_ARN =
  'arn:aws:states:us-east-1:123456789012:execution:StateMachine2E01A3A5-x:examples-seir-ma--r1';
const options = { timeoutMs: 2000, attempts: 2, retryDelayMs: 10 };

/** An EventBridge "Step Functions Execution Status Change" event of an ended execution. */
function statusChange(detail: Record<string, unknown>) {
  return {
    version: '0',
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    region: 'us-east-1',
    detail: {
      executionArn: EXECUTION_ARN,
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:StateMachine2E01A3A5-x',
      name: 'examples-seir-ma--r1',
      startDate: 1_767_225_600_000,
      stopDate: 1_767_226_354_000,
      input: JSON.stringify({
        expId: 'examples/seir-ma',
        runId: 'r1',
        dirPrefix: '',
        skipOutput: false,
        referenceDate: '2026-01-03',
      }),
      inputDetails: { included: true },
      error: null,
      cause: null,
      ...detail,
    },
  };
}
const succeeded = statusChange({
  status: 'SUCCEEDED',
  output: JSON.stringify({
    expId: 'examples/seir-ma',
    runId: 'r1',
    prefix: 'examples/seir-ma/runs/r1/',
    numTasks: 24,
    image: null,
    jobs: {},
  }),
  outputDetails: { included: true },
});

let server: WebhookServer;
let secrets: ReturnType<typeof fakeSecretsManager>;
const logs: string[] = [];
const log = {
  info: (m: string, f?: Record<string, unknown>) => logs.push(JSON.stringify({ m, ...f })),
  error: (m: string, f?: Record<string, unknown>) => logs.push(JSON.stringify({ m, ...f })),
};

beforeAll(async () => {
  server = await startWebhookServer();
  secrets = fakeSecretsManager({
    'epycloud/webhook': server.url('/generic-secret-path'),
    'epycloud/slack': `  ${server.url('/slack-secret-path')}\n`,
    'epycloud/not-a-url': 'hunter2',
  });
});
afterEach(() => {
  server.reset();
  logs.length = 0;
});
afterAll(async () => {
  secrets.restore();
  await server.stop();
});

const deps = (config: Record<string, string>) => ({
  config,
  secrets: secrets.client,
  log,
  options,
});

describe('NotifyRun', () => {
  it('posts a succeeded run to both webhooks, URLs read from their secrets', async () => {
    const config = {
      webhookSecret: 'epycloud/webhook',
      slackWebhookSecret: secrets.arnOf('epycloud/slack'),
      bucket: 'data-bucket',
    };
    await expect(notifyExecutionEnd(succeeded, deps(config))).resolves.toEqual({ delivered: 2 });
    const byPath = Object.fromEntries(server.posts.map((p) => [p.path, p.body]));
    expect(byPath['/generic-secret-path']).toEqual({
      event: 'epycloud.run.ended',
      version: 1,
      run: {
        backend: 'cloud',
        expId: 'examples/seir-ma',
        runId: 'r1',
        state: 'succeeded',
        referenceDate: '2026-01-03',
        numTasks: 24,
        durationMs: 754_000,
        links: {
          outputs: {
            path: 's3://data-bucket/examples/seir-ma/runs/r1/outputs/',
            console:
              'https://s3.console.aws.amazon.com/s3/buckets/data-bucket?region=us-east-1&prefix=examples%2Fseir-ma%2Fruns%2Fr1%2Foutputs%2F',
          },
          executionArn: EXECUTION_ARN,
        },
      },
    });
    expect(byPath['/slack-secret-path']).toMatchObject({
      text: 'epycloud run examples/seir-ma / r1: succeeded',
    });
    expect(secrets.requests().map((r) => r.SecretId)).toEqual([
      'epycloud/webhook',
      secrets.arnOf('epycloud/slack'),
    ]);
    expect(logs.join('\n')).not.toContain('secret-path');
  });

  it('tells a partial run from the failed array job of its cause', async () => {
    const event = statusChange({
      status: 'FAILED',
      error: 'States.TaskFailed',
      cause: JSON.stringify({
        Status: 'FAILED',
        StatusReason: '2 task(s) failed',
        ArrayProperties: { Size: 24, StatusSummary: { SUCCEEDED: 22, FAILED: 2 } },
      }),
    });
    await notifyExecutionEnd(event, deps({ webhookSecret: 'epycloud/webhook', bucket: 'b' }));
    expect(server.posts[0]!.body).toMatchObject({
      run: {
        state: 'partial',
        failedTasks: { count: 2 },
        failure: 'States.TaskFailed: 2 task(s) failed',
        links: { executionArn: EXECUTION_ARN },
      },
    });
    const run = (server.posts[0]!.body as { run: { links: object; numTasks?: number } }).run;
    expect(run.links).not.toHaveProperty('outputs');
    expect(run.numTasks).toBeUndefined();
  });

  it('reports an aborted run as failed', async () => {
    await notifyExecutionEnd(
      statusChange({ status: 'ABORTED' }),
      deps({ webhookSecret: 'epycloud/webhook' }),
    );
    expect(server.posts[0]!.body).toMatchObject({
      run: { state: 'failed', failure: 'execution ABORTED', runId: 'r1' },
    });
  });

  it('names the run by its execution when the event carries no input', async () => {
    await notifyExecutionEnd(
      statusChange({ status: 'TIMED_OUT', input: null, inputDetails: { included: false } }),
      deps({ webhookSecret: 'epycloud/webhook' }),
    );
    expect(server.posts[0]!.body).toMatchObject({
      run: { expId: 'examples-seir-ma--r1', runId: 'examples-seir-ma--r1', state: 'failed' },
    });
  });

  it('still posts to the other webhook when a secret is missing, then fails naming the secret', async () => {
    const config = { webhookSecret: 'epycloud/gone', slackWebhookSecret: 'epycloud/slack' };
    const error = await notifyExecutionEnd(succeeded, deps(config)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain('Secret epycloud/gone not found');
    expect(server.posts.map((p) => p.path)).toEqual(['/slack-secret-path']);
  });

  it('refuses a secret that does not hold a URL, without showing its value', async () => {
    const error = await notifyExecutionEnd(
      succeeded,
      deps({ webhookSecret: 'epycloud/not-a-url' }),
    ).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toContain(
      'Secret epycloud/not-a-url does not hold a webhook URL',
    );
    expect((error as Error).message).not.toContain('hunter2');
    expect(logs.join('\n')).not.toContain('hunter2');
  });

  it('retries a 500, and fails after its attempts naming the host only', async () => {
    server.script(500, 200);
    await notifyExecutionEnd(succeeded, deps({ webhookSecret: 'epycloud/webhook' }));
    expect(server.posts).toHaveLength(2);
    server.reset();
    server.script(500, 500);
    const error = await notifyExecutionEnd(
      succeeded,
      deps({ webhookSecret: 'epycloud/webhook' }),
    ).catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain(
      `Webhook ${server.origin} failed after 2 attempt(s)`,
    );
    expect((error as Error).message).not.toContain('secret-path');
    expect(logs.join('\n')).not.toContain('secret-path');
  });

  it('refuses an event that is not an ended execution', async () => {
    await expect(
      notifyExecutionEnd(
        statusChange({ status: 'RUNNING' }),
        deps({ webhookSecret: 'epycloud/webhook' }),
      ),
    ).rejects.toThrow(/detail\.status/);
    expect(server.posts).toEqual([]);
  });
});

describe('NotifyRun handler', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('reads its config from the environment and posts', async () => {
    vi.stubEnv(NOTIFY_CONFIG_VAR, JSON.stringify({ webhookSecret: 'epycloud/webhook' }));
    await expect(handler(succeeded)).resolves.toEqual({ delivered: 1 });
    expect(server.posts).toHaveLength(1);
  });

  it('fails as Epycloud.CONFIG without a webhook secret in its config', async () => {
    vi.stubEnv(NOTIFY_CONFIG_VAR, JSON.stringify({ bucket: 'b' }));
    const error = (await handler(succeeded).catch((e: unknown) => e)) as Error;
    expect(error.name).toBe(`Epycloud.${new ConfigError('').code}`);
    expect(server.posts).toEqual([]);
  });
});
