import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseStorageTarget } from '../../../lib/contract/env.js';
import { LocalDriver, Storage, storageFor } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';

const storageFromEnv = (env: Record<string, string>) => storageFor(parseStorageTarget(env), env);
import { S3Driver } from '../../../lib/storage/s3.js';
import { ValidationError } from '../../../lib/errors.js';
import { storageContract } from '../../support/storage-contract.js';

const roots: string[] = [];
async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'epycloud-local-'));
  roots.push(root);
  return root;
}
afterAll(async () => {
  await Promise.all(roots.map((r) => rm(r, { recursive: true, force: true })));
});

storageContract('memory', async () => new Storage(new MemoryDriver()));
storageContract('local filesystem', async () => new Storage(new LocalDriver(await tempRoot())));

describe('LocalDriver specifics', () => {
  it('leaves no temporary files behind and never exposes them in listings', async () => {
    const root = await tempRoot();
    const s = new Storage(new LocalDriver(root));
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.put('dir/same.txt', `writer ${i}`)));
    expect(await readdir(join(root, 'dir'))).toEqual(['same.txt']);
    expect(await s.getText('dir/same.txt')).toMatch(/^writer \d+$/);
  });

  it('rejects a key that resolves outside the root even without the Storage checks', async () => {
    const driver = new LocalDriver(await tempRoot());
    await expect(driver.put('../escape.txt', new Uint8Array([1]))).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('writes the tags its policy gives for a key', async () => {
    const driver = new MemoryDriver();
    const s = new Storage(driver, {
      tagsFor: (key): Record<string, string> =>
        key.startsWith('tmp/') ? { 'epycloud:retention': 'intermediate' } : {},
    });
    await s.put('tmp/a.json.gz', '{}');
    await s.putJson('keep/b.json', {});
    expect(driver.tags('tmp/a.json.gz')).toEqual({ 'epycloud:retention': 'intermediate' });
    expect(driver.tags('keep/b.json')).toEqual({});
  });

  it('records content types from the extension', async () => {
    const driver = new MemoryDriver();
    const s = new Storage(driver);
    await s.put('a.csv.gz', 'x');
    await s.putJson('b.json', {});
    expect(driver.contentType('a.csv.gz')).toBe('application/gzip');
    expect(driver.contentType('b.json')).toBe('application/json');
  });
});

describe('storage from the environment', () => {
  it('picks the local bucket directory in local mode', () => {
    const s = storageFromEnv({ EXECUTION_MODE: 'local', LOCAL_BUCKET_DIR: '/tmp/x-bucket' });
    expect(s.driver).toBeInstanceOf(LocalDriver);
    expect(s.location).toBe('/tmp/x-bucket');
  });

  it('picks S3 in cloud mode and requires the bucket', () => {
    const s = storageFromEnv({
      EXECUTION_MODE: 'cloud',
      S3_BUCKET: 'my-bucket',
      AWS_REGION: 'us-east-1',
    });
    expect(s.driver).toBeInstanceOf(S3Driver);
    expect(s.location).toBe('s3://my-bucket');
    expect(() => storageFromEnv({ EXECUTION_MODE: 'cloud' })).toThrow(/S3_BUCKET is not set/);
  });

  it('rejects an unknown mode, naming the accepted ones', () => {
    expect(() => storageFromEnv({ EXECUTION_MODE: 'gcp' })).toThrow(
      /EXECUTION_MODE="gcp" is invalid: expected one of local, cloud/,
    );
  });
});
