import { CopyObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { s3Error } from '../../lib/storage/s3-errors.js';
import type { CopyObject } from './scheduled.js';

/** CopySource is `<bucket>/<key>`, URL-encoded (every segment, the slashes kept). */
const copySource = (bucket: string, key: string): string =>
  `${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;

/**
 * A server-side copy within the data bucket (the bytes never pass through the
 * lambda); failures become the storage layer's errors, naming the object.
 */
export function s3ObjectCopier(s3: S3Client, bucket: string): CopyObject {
  return async (fromKey, toKey) => {
    try {
      await s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: toKey,
          CopySource: copySource(bucket, fromKey),
        }),
      );
    } catch (error) {
      throw s3Error(error, { bucket, key: `${fromKey} to ${toKey}`, action: 'copy' });
    }
  };
}
