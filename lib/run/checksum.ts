import { createHash } from 'node:crypto';

/** Hex sha256 of bytes, or of text as UTF-8. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
