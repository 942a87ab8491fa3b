import type { S3Client } from '@aws-sdk/client-s3';
import type { EnvMap, StorageTarget } from '../contract/env.js';
import { LocalDriver } from './local.js';
import { createS3Client, S3Driver } from './s3.js';
import { Storage } from './storage.js';
import type { StorageOptions } from './types.js';

export { Storage } from './storage.js';
export type { ObjectTags, ObjectWriter } from './types.js';
export { LocalDriver } from './local.js';
export { S3Driver, S3_LIMITS, createS3Client, s3RequestHandler, type S3Limits } from './s3.js';

/** The one factory: builds the storage for a target (`EXECUTION_MODE` parsed by `parseStorageTarget`); the S3 client comes from `env` unless injected. */
export function storageFor(
  target: StorageTarget,
  env: EnvMap = {},
  s3Client?: S3Client,
  options: StorageOptions = {},
): Storage {
  if (target.mode === 'local') return new Storage(new LocalDriver(target.root), options);
  return new Storage(new S3Driver(s3Client ?? createS3Client(env), target.bucket), options);
}
