import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TransientError, ValidationError } from '../../../lib/errors.js';
import { postWebhook, webhookOrigin } from '../../../lib/notify/post.js';
import { startWebhookServer, type WebhookServer } from './webhook-server.js';

const SECRET_PATH = '/services/T000/B000/secretpart';
const fast = { timeoutMs: 2000, attempts: 3, retryDelayMs: 10 };

let server: WebhookServer;
beforeAll(async () => {
  server = await startWebhookServer();
});
afterEach(() => server.reset());
afterAll(async () => server.stop());

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  if (error === undefined) throw new Error('expected the post to fail');
  return error;
}

describe('postWebhook', () => {
  it('POSTs the payload as JSON', async () => {
    await postWebhook(server.url(SECRET_PATH), { hello: 'world' }, fast);
    expect(server.posts).toHaveLength(1);
    expect(server.posts[0]).toMatchObject({ path: SECRET_PATH, body: { hello: 'world' } });
    expect(server.posts[0]!.headers['content-type']).toBe('application/json');
  });

  it('tries a 500 again, and resolves on the 200 that follows', async () => {
    server.script(500, 200);
    await postWebhook(server.url(SECRET_PATH), { n: 1 }, fast);
    expect(server.posts.map((p) => p.body)).toEqual([{ n: 1 }, { n: 1 }]);
  });

  it('gives up after its attempts, naming the host and never the path', async () => {
    server.script(503, 502, 500, 500);
    const error = await failure(postWebhook(server.url(SECRET_PATH), {}, fast));
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toBe(`Webhook ${server.origin} failed after 3 attempt(s): HTTP 500`);
    expect(error.message).not.toContain('secretpart');
    expect(server.posts).toHaveLength(3);
  });

  it('does not try a 4xx again: the URL is wrong or revoked', async () => {
    server.script(404);
    const error = await failure(postWebhook(server.url(SECRET_PATH), {}, fast));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('HTTP 404');
    expect(error.message).not.toContain('secretpart');
    expect(server.posts).toHaveLength(1);
  });

  it('gives up on a webhook that never answers within attempts x timeout', async () => {
    server.script('hang', 'hang');
    const started = performance.now();
    const error = await failure(
      postWebhook(server.url(SECRET_PATH), {}, { timeoutMs: 300, attempts: 2, retryDelayMs: 10 }),
    );
    const elapsed = performance.now() - started;
    expect(error.message).toBe(
      `Webhook ${server.origin} failed after 2 attempt(s): no answer within 300 ms`,
    );
    expect(elapsed).toBeGreaterThanOrEqual(590);
    expect(elapsed).toBeLessThan(2000);
    expect(server.posts).toHaveLength(2);
  });

  it('names a refused connection by its code only', async () => {
    const closed = await startWebhookServer();
    const url = closed.url(SECRET_PATH);
    await closed.stop();
    const error = await failure(postWebhook(url, {}, { ...fast, attempts: 2 }));
    expect(error.message).toBe(
      `Webhook ${closed.origin} failed after 2 attempt(s): network error ECONNREFUSED`,
    );
  });

  it('refuses a URL that is not http(s) without showing it', async () => {
    const error = await failure(postWebhook('ftp://files.example.org/secret', {}, fast));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain('ftp://files.example.org');
    expect(error.message).not.toContain('secret');
  });
});

describe('webhookOrigin', () => {
  it('keeps the scheme and host (and port) only', () => {
    expect(webhookOrigin('https://hooks.slack.com/services/T/B/x?y=1')).toBe(
      'https://hooks.slack.com',
    );
    expect(webhookOrigin('http://127.0.0.1:8080/hook')).toBe('http://127.0.0.1:8080');
    expect(webhookOrigin('https://user:pw@example.org/x')).toBe('https://example.org');
    expect(webhookOrigin('not a url')).toBe('(not a URL)');
  });
});
