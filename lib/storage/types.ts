import type { Readable } from 'node:stream';

/** Object tags, name -> value. */
export type ObjectTags = Readonly<Record<string, string>>;

/** An object written piece by piece (see `Storage.openWriter`). */
export interface ObjectWriter {
  /** Appends bytes or text (UTF-8); resolves once the backend can take more. */
  write(data: Uint8Array | string): Promise<void>;
  /** Ends the object and waits until it is stored whole; only then can readers see it. */
  close(): Promise<void>;
  /** Drops the object: nothing of it is stored. */
  abort(): Promise<void>;
}

/** How a {@link Storage} treats keys beyond bytes. */
export interface StorageOptions {
  /** Tags to write with a key (e.g. the retention tag of intermediate artifacts); none by default. */
  readonly tagsFor?: (key: string) => ObjectTags;
}

/**
 * A storage backend moves bytes under string keys and nothing more; the
 * {@link Storage} class on top of it adds gzip, JSON and key checks so that
 * every backend behaves the same.
 *
 * Error contract, for every method of every driver:
 * - a key that does not exist -> `NotFoundError` (from `get`; `exists` returns false;
 *   `delete` of a missing key succeeds);
 * - throttling, a server error or a timeout (S3) -> `TransientError` (a later attempt may succeed);
 * - any other failure -> `StorageError` whose message names the location and key
 *   (a missing S3 bucket says so and how to fix it).
 */
export interface StorageDriver {
  /** Where the keys live, for messages: `s3://bucket`, an absolute directory, `memory://`. */
  readonly location: string;
  /**
   * Writes the bytes whole; a reader never sees a partly written object.
   * `tags` become object tags where the backend has them (S3); others ignore them.
   */
  put(key: string, body: Uint8Array, contentType: string, tags?: ObjectTags): Promise<void>;
  /**
   * Writes the bytes `body` yields until it ends, as `put` does (whole, with `tags`),
   * without holding them all in memory where the backend allows it (local file, S3
   * multipart upload). When `body` fails, nothing is written and the error is thrown.
   */
  putStream(key: string, body: Readable, contentType: string, tags?: ObjectTags): Promise<void>;
  /** Reads the bytes; `NotFoundError` when the key does not exist. */
  get(key: string): Promise<Uint8Array>;
  /** Whether the key exists. */
  exists(key: string): Promise<boolean>;
  /** Every key that starts with the prefix, however many pages the backend needs, sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes the key; succeeds when it does not exist. */
  delete(key: string): Promise<void>;
}
