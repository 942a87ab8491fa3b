import type { S3Client } from '@aws-sdk/client-s3';
import type { EnvMap, StorageTarget } from '../contract/env.js';
import { parseStorageTarget } from '../contract/env.js';
import { LocalDriver } from './local.js';
import { createS3Client, S3Driver } from './s3.js';
import { Storage } from './storage.js';
import type { StorageOptions } from './types.js';

export { Storage, validateKey } from './storage.js';
export type { ObjectTags, ObjectWriter, StorageDriver, StorageOptions } from './types.js';
export { LocalDriver } from './local.js';
export { MemoryDriver } from './memory.js';
export { S3Driver, S3_LIMITS, createS3Client, s3RequestHandler, type S3Limits } from './s3.js';

/** Builds the storage for a target; the S3 client comes from `env` unless injected. */
export function storageFor(target: StorageTarget, env: EnvMap = {}, s3Client?: S3Client, options: StorageOptions = {}): Storage {
  if (target.mode === 'local') return new Storage(new LocalDriver(target.root), options);
  return new Storage(new S3Driver(s3Client ?? createS3Client(env), target.bucket), options);
}

/** The one factory: `EXECUTION_MODE` picks S3 or the local bucket directory. */
export function storageFromEnv(env: EnvMap, s3Client?: S3Client, options: StorageOptions = {}): Storage {
  return storageFor(parseStorageTarget(env), env, s3Client, options);
}
