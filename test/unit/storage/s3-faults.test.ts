import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  NotFoundError,
  StorageError,
  TRANSIENT_EXIT_CODE,
  TransientError,
} from '../../../lib/errors.js';
import {
  createS3Client,
  S3_LIMITS,
  S3Driver,
  Storage,
  type S3Limits,
} from '../../../lib/storage/index.js';
import { startFaultServer, type Fault, type FaultServer } from '../../support/fault-server.js';
import { startS3Server, type S3Server } from '../../support/s3-server.js';

/** Tight limits so a fault shows within a second or two. */
const FAST: S3Limits = {
  connectMs: 500,
  idleMs: 300,
  responseMs: 1_000,
  callMs: 10_000,
  maxAttempts: 2,
};

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function storageFacing(fault: Fault, limits: S3Limits = FAST): Promise<Storage> {
  server = await startFaultServer(fault);
  return new Storage(new S3Driver(createS3Client(server.env, {}, limits), 'data', limits));
}

async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  return { error, ms: performance.now() - started };
}

describe('S3 time limits', () => {
  it('gives up on a request that is never answered, as a transient error, after the SDK retried it', async () => {
    const storage = await storageFacing({ kind: 'stall' });
    const { error, ms } = await failure(() =>
      storage.get('exp/run/builder-artifacts/manifest.json'),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect((error as TransientError).exitCode).toBe(TRANSIENT_EXIT_CODE);
    expect((error as Error).message).toContain('s3://data/exp/run/builder-artifacts/manifest.json');
    expect(server?.requests()).toBe(FAST.maxAttempts);
    expect(ms).toBeLessThan(5_000);
  });

  it('gives up on a body that stalls after the headers', async () => {
    const storage = await storageFacing({ kind: 'stall-body' });
    const { error, ms } = await failure(() =>
      storage.get('exp/run/runner-artifacts/result_00000.json.gz'),
    );
    expect(error).toBeInstanceOf(TransientError);
    expect(ms).toBeLessThan(5_000);
  });

  it('bounds a whole call by its deadline even with an injected client that has no time limits', async () => {
    server = await startFaultServer({ kind: 'stall' });
    const bare = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const storage = new Storage(new S3Driver(bare, 'data', { callMs: 400 }));
    for (const call of [
      () => storage.get('a/b.json'),
      () => storage.put('a/b.json', '{}'),
      () => storage.list('a/'),
      () => storage.exists('a/b.json'),
    ]) {
      const { error, ms } = await failure(call);
      expect(error).toBeInstanceOf(TransientError);
      expect((error as Error).message).toMatch(/no answer within 400 ms/);
      expect(ms).toBeLessThan(3_000);
    }
    bare.destroy();
  });

  it('configures every client it creates with connection, idle and response limits and adaptive retries', async () => {
    server = await startFaultServer({ kind: 'error', status: 403, code: 'AccessDenied' });
    const client = createS3Client(server.env);
    await new Storage(new S3Driver(client, 'data')).exists('x').catch(() => undefined);
    const handler = client.config.requestHandler as unknown as {
      httpHandlerConfigs(): Record<string, unknown>;
    };
    expect(handler.httpHandlerConfigs()).toMatchObject({
      connectionTimeout: S3_LIMITS.connectMs,
      socketTimeout: S3_LIMITS.idleMs,
      requestTimeout: S3_LIMITS.responseMs,
      throwOnRequestTimeout: true,
    });
    expect(await client.config.maxAttempts()).toBe(S3_LIMITS.maxAttempts);
    expect(client.config.retryMode).toBe('adaptive');
    client.destroy();
  });
});

describe('S3 throttling and server errors', () => {
  const calls: Record<string, (s: Storage) => Promise<unknown>> = {
    put: (s) => s.put('e/r/runner-artifacts/result_00003.json.gz', '{}'),
    get: (s) => s.get('e/r/x.json'),
    list: (s) => s.list('e/r/'),
  };
  it.each([
    { status: 503, code: 'SlowDown', op: 'put' },
    { status: 500, code: 'InternalError', op: 'get' },
    { status: 429, code: undefined, op: 'list' },
  ])(
    'surfaces a persistent $status $code ($op) as a transient error after the SDK retried it',
    async ({ status, code, op }) => {
      const storage = await storageFacing({
        kind: 'error',
        status,
        ...(code === undefined ? {} : { code }),
      });
      const { error } = await failure(() => calls[op]!(storage));
      expect(error).toBeInstanceOf(TransientError);
      expect((error as TransientError).exitCode).toBe(TRANSIENT_EXIT_CODE);
      expect((error as Error).message).toContain(`HTTP ${status}`);
      expect(server?.requests()).toBe(FAST.maxAttempts);
    },
  );

  it('keeps a refusal (403 AccessDenied) permanent: a StorageError naming the object', async () => {
    const storage = await storageFacing({ kind: 'error', status: 403, code: 'AccessDenied' });
    const { error } = await failure(() => storage.put('e/r/outputs/x.csv', 'a'));
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toMatch(
      /^Could not write s3:\/\/data\/e\/r\/outputs\/x\.csv: AccessDenied \(HTTP 403\)/,
    );
  });
});

describe('a missing bucket (s3rver on 127.0.0.1)', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server(['present']);
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('says the bucket does not exist and how to fix it, on every operation', async () => {
    const storage = new Storage(new S3Driver(createS3Client(s3.env), 'no-such-bucket'));
    const calls = {
      get: () => storage.get('e/r/x.json'),
      put: () => storage.put('e/r/x.json', '{}'),
      list: () => storage.list('e/r/'),
      exists: () => storage.exists('e/r/x.json'),
      delete: () => storage.delete('e/r/x.json'),
    };
    for (const [name, call] of Object.entries(calls)) {
      const { error } = await failure(call);
      expect(error, name).toBeInstanceOf(StorageError);
      expect((error as Error).message, name).toContain(
        'bucket "no-such-bucket" does not exist (NoSuchBucket)',
      );
      expect((error as Error).message, name).toContain('S3_BUCKET');
    }
  });

  it('still answers a missing key in an existing bucket as not found', async () => {
    const storage = new Storage(new S3Driver(createS3Client(s3.env), 'present'));
    expect(await storage.exists('e/r/x.json')).toBe(false);
    await expect(storage.get('e/r/x.json')).rejects.toBeInstanceOf(NotFoundError);
    await expect(storage.delete('e/r/x.json')).resolves.toBeUndefined();
  });
});
