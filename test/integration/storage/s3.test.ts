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

  it('sends object tags with the PUT (x-amz-tagging, URL-encoded) so lifecycle rules can match them', async () => {
    // s3rver ignores x-amz-tagging on PUT (real S3 applies it), so the test reads the request the SDK sends.
    const client = createS3Client(server.env);
    const sent: Record<string, string>[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
        return next(args);
      },
      { step: 'finalizeRequest' },
    );
    const bucket = ((await freshBucket()).driver as S3Driver).bucket;
    const s = new Storage(new S3Driver(client, bucket), {
      tagsFor: (key): Record<string, string> =>
        key.includes('/builder-artifacts/')
          ? { 'epycloud:retention': 'intermediate', note: 'a&b=c' }
          : {},
    });
    await s.put('run/builder-artifacts/input_00000.json.gz', '{}');
    await s.put('run/outputs/x.csv', 'a');
    expect(sent[0]?.['x-amz-tagging']).toBe('epycloud%3Aretention=intermediate&note=a%26b%3Dc');
    expect(sent[1]?.['x-amz-tagging']).toBeUndefined();
    expect(await s.getText('run/outputs/x.csv')).toBe('a');
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
