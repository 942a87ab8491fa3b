import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookServer, type WebhookServer } from '../../unit/notify/webhook-server.js';
import { runCli, summary, tempLocalDir } from '../local/helpers.js';

let local: Awaited<ReturnType<typeof tempLocalDir>>;
let server: WebhookServer;
const run = (args: string[], env: Record<string, string> = {}, cwd?: string) =>
  runCli(
    [
      'run',
      'workflow',
      '--local',
      '--runtime',
      'process',
      '--local-dir',
      local.dir,
      '--exp-id',
      'examples/seir-ma',
      '--json',
      ...args,
    ],
    env,
    cwd,
  );

beforeAll(async () => {
  local = await tempLocalDir();
  server = await startWebhookServer();
});
afterEach(() => server.reset());
afterAll(async () => {
  await server.stop();
  await local.cleanup();
});

describe('a local run announces its end to the settings’ webhook', () => {
  it('POSTs the run summary once (the webhook from EPYCLOUD_NOTIFY_WEBHOOK)', async () => {
    const result = await run([], { EPYCLOUD_NOTIFY_WEBHOOK: server.url('/hooks/secret-token') });
    expect(result.exitCode, result.stderr).toBe(0);
    const printed = summary(result);
    expect(server.posts).toHaveLength(1);
    expect(server.posts[0]).toMatchObject({
      path: '/hooks/secret-token',
      body: {
        event: 'epycloud.run.ended',
        version: 1,
        run: {
          backend: 'local',
          expId: 'examples/seir-ma',
          runId: printed.runId,
          state: 'succeeded',
          numTasks: 1,
          links: {
            outputs: { path: printed.outputs },
            report: { path: join(printed.outputs!, 'report.html') },
          },
        },
      },
    });
    expect(result.stderr).not.toContain('secret-token');
  });

  it('reads the Slack webhook from the project file, and --no-notify posts nothing', async () => {
    await writeFile(
      join(local.dir, 'epycloud.yaml'),
      `notify_slack_webhook: ${server.url('/slack/secret-token')}\n`,
    );
    const quiet = await run(['--no-notify'], {}, local.dir);
    expect(quiet.exitCode, quiet.stderr).toBe(0);
    expect(server.posts).toEqual([]);
    const told = await run([], {}, local.dir);
    expect(told.exitCode, told.stderr).toBe(0);
    expect(server.posts.map((p) => p.path)).toEqual(['/slack/secret-token']);
    expect(server.posts[0]!.body).toMatchObject({
      text: `epycloud run examples/seir-ma / ${summary(told).runId}: succeeded`,
    });
  });

  it('keeps the exit code of the run when the webhook fails, with a warning naming the host only', async () => {
    server.script(500, 500, 500);
    const result = await run([], { EPYCLOUD_NOTIFY_WEBHOOK: server.url('/hooks/secret-token') });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Webhook ${server.origin} failed after 3 attempt(s): HTTP 500`);
    expect(result.stderr).not.toContain('secret-token');
  });
});
