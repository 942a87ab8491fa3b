import { NotFoundError, StorageError, TransientError, type EpycloudError } from '../errors.js';

/** The fields of an AWS SDK (or Node network) error that classify it. */
interface SdkError {
  readonly name?: string;
  readonly message?: string;
  readonly code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number; readonly attempts?: number };
}

/** Error names of throttling, server errors and timeouts: a later attempt may succeed. */
const TRANSIENT_NAMES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
]);
/** HTTP statuses of throttling and server errors. */
const TRANSIENT_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Node network failures that a later attempt may not meet. */
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Whether an S3 failure is throttling, a server error, a timeout or a dropped connection. */
function isTransientS3Error(error: unknown): boolean {
  const e = error as SdkError;
  return (
    TRANSIENT_NAMES.has(e.name ?? '') ||
    TRANSIENT_STATUSES.has(e.$metadata?.httpStatusCode ?? 0) ||
    NETWORK_CODES.has(e.code ?? '')
  );
}

/** Whether S3 answered that the key does not exist (HEAD answers a bare 404). */
function isS3NotFound(error: unknown): boolean {
  const e = error as SdkError;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}

/** What a failed S3 request was doing, for the message. */
export interface S3Request {
  readonly bucket: string;
  readonly key: string;
  /** `read`, `write`, `list`, ... */
  readonly action: string;
  /** Set when the driver's per-request deadline (ms) aborted the request. */
  readonly deadlineMs?: number;
}

/** The message for a bucket that does not exist, saying how to fix it. */
export function missingBucketMessage(bucket: string): string {
  return (
    `bucket "${bucket}" does not exist (NoSuchBucket). S3_BUCKET must name the deployment's data bucket ` +
    `(the BucketName output of its Storage stack, in the region of AWS_REGION); deploy it with "npx cdk deploy --all" if it was never created`
  );
}

function describe(error: SdkError): string {
  const status = error.$metadata?.httpStatusCode;
  const attempts = error.$metadata?.attempts;
  return `${error.name ?? 'Error'}${status === undefined ? '' : ` (HTTP ${status})`}${attempts === undefined ? '' : ` after ${attempts} attempt(s)`}: ${error.message ?? ''}`;
}

/**
 * The epycloud error for a failed S3 request: a missing bucket says so; a
 * missing key is a `NotFoundError`; throttling, server errors and timeouts
 * (the SDK's and the driver's deadline) are a `TransientError` (retried by
 * Batch); anything else is a `StorageError`. Every message names the object.
 */
export function s3Error(error: unknown, request: S3Request): EpycloudError {
  const e = error as SdkError;
  const where = `Could not ${request.action} s3://${request.bucket}/${request.key}`;
  if (e.name === 'NoSuchBucket')
    return new StorageError(`${where}: ${missingBucketMessage(request.bucket)}`);
  if (isS3NotFound(error)) return new NotFoundError(request.key, `s3://${request.bucket}`);
  if (request.deadlineMs !== undefined) {
    return new TransientError(
      `${where}: no answer within ${request.deadlineMs} ms (the request deadline); a later attempt may succeed`,
    );
  }
  if (isTransientS3Error(error)) {
    return new TransientError(
      `${where}: ${describe(e)} (S3 throttled, failed or did not answer in time; a later attempt may succeed)`,
    );
  }
  return new StorageError(`${where}: ${describe(e)}`);
}
