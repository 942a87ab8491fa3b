import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  paginateListObjectsV2,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { EnvMap } from '../contract/env.js';
import { NotFoundError, StorageError } from '../errors.js';
import type { ObjectTags, StorageDriver } from './types.js';

const isNotFound = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/**
 * An S3 client configured from the standard variables of `env`:
 * `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) points it at any
 * S3-compatible server, and then path-style addressing is used;
 * `AWS_REGION` / `AWS_DEFAULT_REGION` and static keys are taken when present,
 * otherwise the SDK's default chain applies.
 */
export function createS3Client(env: EnvMap, config: S3ClientConfig = {}): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  return new S3Client({
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(region ? { region } : {}),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } } : {}),
    ...config,
  });
}

/** Keys as objects in one S3 bucket, through an injected client. */
export class S3Driver implements StorageDriver {
  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
  ) {}

  get location(): string {
    return `s3://${this.bucket}`;
  }

  private fail(action: string, key: string, error: unknown): never {
    const e = error as Error;
    throw new StorageError(`Could not ${action} s3://${this.bucket}/${key}: ${e.name}: ${e.message}`);
  }

  async put(key: string, body: Uint8Array, contentType: string, tags: ObjectTags = {}): Promise<void> {
    const tagging = new URLSearchParams(Object.entries(tags)).toString();
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          ...(tagging ? { Tagging: tagging } : {}),
        }),
      );
    } catch (error) {
      this.fail('write', key, error);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (response.Body === undefined) return new Uint8Array();
      return await response.Body.transformToByteArray();
    } catch (error) {
      if (isNotFound(error)) throw new NotFoundError(key, this.location);
      this.fail('read', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      this.fail('stat', key, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix: prefix })) {
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      }
    } catch (error) {
      this.fail('list', `${prefix}*`, error);
    }
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (isNotFound(error)) return;
      this.fail('delete', key, error);
    }
  }
}
