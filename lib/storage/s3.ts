import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import type { EnvMap } from '../contract/env.js';
import { NotFoundError, StorageError } from '../errors.js';
import { missingBucketMessage, s3Error } from './s3-errors.js';
import type { ObjectTags, StorageDriver } from './types.js';

/** Time limits of every S3 request, in milliseconds, and the SDK's attempts per request. */
export interface S3Limits {
  /** Connecting to the endpoint. */
  readonly connectMs: number;
  /** No byte in either direction (a stalled request or body). */
  readonly idleMs: number;
  /** From sending a request (its body included) to the response's headers. */
  readonly responseMs: number;
  /** The driver's deadline for one call, the SDK's retries and reading the body included. */
  readonly callMs: number;
  /** Attempts per request by the SDK (adaptive retry mode: backoff, and client-side rate limiting when throttled). */
  readonly maxAttempts: number;
}

/** The limits every S3 client and driver of epycloud uses unless a test gives others. */
export const S3_LIMITS: S3Limits = {
  connectMs: 5_000,
  idleMs: 20_000,
  responseMs: 300_000,
  callMs: 900_000,
  maxAttempts: 5,
};

/** The SDK request handler options (Node HTTP handler) that enforce `limits`. */
export function s3RequestHandler(limits: S3Limits = S3_LIMITS): S3ClientConfig['requestHandler'] {
  return {
    connectionTimeout: limits.connectMs,
    socketTimeout: limits.idleMs,
    requestTimeout: limits.responseMs,
    throwOnRequestTimeout: true,
  };
}

/**
 * An S3 client configured from the standard variables of `env`:
 * `AWS_ENDPOINT_URL_S3` (or `AWS_ENDPOINT_URL`) points it at any
 * S3-compatible server, and then path-style addressing is used;
 * `AWS_REGION` / `AWS_DEFAULT_REGION` and static keys are taken when present,
 * otherwise the SDK's default chain applies. Every request has the time
 * limits of `limits` and the SDK's adaptive retries; `config` overrides any of it.
 */
export function createS3Client(
  env: EnvMap,
  config: S3ClientConfig = {},
  limits: S3Limits = S3_LIMITS,
): S3Client {
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  const {
    AWS_ACCESS_KEY_ID: accessKeyId,
    AWS_SECRET_ACCESS_KEY: secretAccessKey,
    AWS_SESSION_TOKEN: sessionToken,
  } = env;
  return new S3Client({
    requestHandler: s3RequestHandler(limits),
    maxAttempts: limits.maxAttempts,
    retryMode: 'adaptive',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(region ? { region } : {}),
    ...(accessKeyId && secretAccessKey
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } }
      : {}),
    ...config,
  });
}

/** Reads a response body, destroying it when `signal` aborts (a body that stalls past the deadline). */
async function readBody(
  body: { transformToByteArray(): Promise<Uint8Array> },
  signal: AbortSignal,
): Promise<Uint8Array> {
  const stream = body as { destroy?: (error?: unknown) => void };
  const abort = (): void => stream.destroy?.(signal.reason);
  signal.addEventListener('abort', abort, { once: true });
  try {
    return await body.transformToByteArray();
  } finally {
    signal.removeEventListener('abort', abort);
  }
}

/**
 * Keys as objects in one S3 bucket, through an injected client. Every request
 * has a deadline (`limits.callMs`, the SDK's retries and the body included);
 * throttling, server errors and timeouts are a `TransientError`, a missing
 * bucket a `StorageError` saying so (see `s3Error`).
 */
export class S3Driver implements StorageDriver {
  /** Set once the bucket is known to exist (HEAD answers a bare 404 for a missing key and a missing bucket alike). */
  private bucketSeen = false;

  constructor(
    private readonly client: S3Client,
    readonly bucket: string,
    private readonly limits: Pick<S3Limits, 'callMs'> = S3_LIMITS,
  ) {}

  get location(): string {
    return `s3://${this.bucket}`;
  }

  /** Runs one request under the deadline; failures become epycloud errors naming the object. */
  private async request<T>(
    action: string,
    key: string,
    run: (abortSignal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    const deadline = AbortSignal.timeout(this.limits.callMs);
    try {
      return await run(deadline);
    } catch (error) {
      const timedOut = deadline.aborted ? { deadlineMs: this.limits.callMs } : {};
      throw s3Error(error, { bucket: this.bucket, key, action, ...timedOut });
    }
  }

  async put(
    key: string,
    body: Uint8Array,
    contentType: string,
    tags: ObjectTags = {},
  ): Promise<void> {
    const command = new PutObjectCommand(this.putParams(key, body, contentType, tags));
    await this.request('write', key, (abortSignal) => this.client.send(command, { abortSignal }));
  }

  /**
   * A multipart upload (one PutObject when the body fits in one part); an
   * incomplete upload is aborted, so nothing shows. No call deadline: the body
   * may take as long as its producer needs; each part request keeps the
   * client's time limits.
   */
  async putStream(
    key: string,
    body: Readable,
    contentType: string,
    tags: ObjectTags = {},
  ): Promise<void> {
    try {
      await new Upload({
        client: this.client,
        params: this.putParams(key, body, contentType, tags),
        queueSize: 2,
      }).done();
    } catch (error) {
      throw s3Error(error, { bucket: this.bucket, key, action: 'write' });
    }
  }

  private putParams(
    key: string,
    body: Uint8Array | Readable,
    contentType: string,
    tags: ObjectTags,
  ) {
    const tagging = new URLSearchParams(Object.entries(tags)).toString();
    return {
      Bucket: this.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ...(tagging ? { Tagging: tagging } : {}),
    };
  }

  async get(key: string): Promise<Uint8Array> {
    return this.request('read', key, async (abortSignal) => {
      const response = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
        { abortSignal },
      );
      return response.Body === undefined ? new Uint8Array() : readBody(response.Body, abortSignal);
    });
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.request('stat', key, (abortSignal) =>
        this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }), { abortSignal }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      await this.checkBucket(key);
      return false;
    }
  }

  /** After a bare 404: throws a `StorageError` saying so when the bucket itself is missing (checked once). */
  private async checkBucket(key: string): Promise<void> {
    if (this.bucketSeen) return;
    try {
      await this.request('stat', key, (abortSignal) =>
        this.client.send(new HeadBucketCommand({ Bucket: this.bucket }), { abortSignal }),
      );
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      throw new StorageError(
        `Could not stat s3://${this.bucket}/${key}: ${missingBucketMessage(this.bucket)}`,
      );
    }
    this.bucketSeen = true;
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const input = {
        Bucket: this.bucket,
        Prefix: prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      };
      const page = await this.request('list', `${prefix}*`, (abortSignal) =>
        this.client.send(new ListObjectsV2Command(input), { abortSignal }),
      );
      for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.request('delete', key, (abortSignal) =>
        this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }), {
          abortSignal,
        }),
      );
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
}
