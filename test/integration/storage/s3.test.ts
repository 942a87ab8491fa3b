import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, StorageError } from '../../../lib/errors.js';
import { createS3Client, S3Driver, Storage } from '../../../lib/storage/index.js';
import { startS3Server, type S3Server } from '../../support/s3-server.js';
import { storageContract } from '../../support/storage-contract.js';

let server: S3Server;
let bucketCount = 0;

beforeAll(async () => {
  server = await startS3Server([]);
});
afterAll(async () => {
  await server?.stop();
});

async function freshBucket(): Promise<Storage> {
  const client = createS3Client(server.env);
  const bucket = `contract-${++bucketCount}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return new Storage(new S3Driver(client, bucket));
}

storageContract('S3 (s3rver on 127.0.0.1)', freshBucket);

describe('S3Driver specifics', () => {
  it('uses the endpoint from AWS_ENDPOINT_URL_S3 with path-style addressing', async () => {
    const client = createS3Client(server.env);
    expect(await client.config.forcePathStyle).toBe(true);
    const endpoint = await client.config.endpoint?.();
    expect(`${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}`).toBe(server.endpoint);
  });

  it('falls back to AWS_ENDPOINT_URL', async () => {
    const client = createS3Client({ AWS_ENDPOINT_URL: server.endpoint });
    expect(await client.config.forcePathStyle).toBe(true);
  });

  it('names the bucket and key in errors', async () => {
    const s = new Storage(new S3Driver(createS3Client(server.env), 'no-such-bucket'));
    const missing = await (await freshBucket()).get('x/y.json').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    const error = await s.put('x/y.json', 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as Error).message).toContain('s3://no-such-bucket/x/y.json');
  });
});
