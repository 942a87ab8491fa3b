import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { createGzip, gunzipSync, gzipSync } from 'node:zlib';
import { StorageError, ValidationError } from '../errors.js';
import { contentTypeOf } from './content-type.js';
import type { ObjectWriter, StorageDriver, StorageOptions } from './types.js';

/**
 * Rejects keys that are empty, absolute, climb with `..`, contain empty
 * segments or backslashes. Returns the key unchanged.
 */
function validateKey(key: string): string {
  const segments = key.split('/');
  if (
    key === '' ||
    key.startsWith('/') ||
    key.includes('\\') ||
    segments.some((s) => s === '..' || s === '.' || s === '')
  ) {
    throw new ValidationError(
      `Invalid storage key "${key}": expected a relative path without "..", "." or empty segments`,
    );
  }
  return key;
}

function validatePrefix(prefix: string): string {
  if (prefix !== '') validateKey(prefix.endsWith('/') ? `${prefix}x` : prefix);
  return prefix;
}

const isGzip = (key: string): boolean => key.endsWith('.gz');

/**
 * The storage every part of epycloud uses. Keys ending in `.gz` are gzipped on
 * write and gunzipped on read; content types follow the extension. Errors
 * follow the {@link StorageDriver} contract: `NotFoundError` for a missing key,
 * `StorageError` otherwise, `ValidationError` for a malformed key.
 */
export class Storage {
  constructor(
    readonly driver: StorageDriver,
    private readonly options: StorageOptions = {},
  ) {}

  /** Where the keys live, for messages. */
  get location(): string {
    return this.driver.location;
  }

  /** Writes bytes or text (UTF-8); gzipped when the key ends in `.gz`. */
  async put(key: string, data: Uint8Array | string): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    const tags = this.options.tagsFor?.(key);
    await this.driver.put(
      validateKey(key),
      isGzip(key) ? gzipSync(bytes) : bytes,
      contentTypeOf(key),
      tags,
    );
  }

  /**
   * Opens a writer for a large object built piece by piece (gzipped when the key
   * ends in `.gz`); memory stays bounded by the backend's buffer, not the object.
   * Call `close` to store it whole, or `abort` to store nothing.
   */
  openWriter(key: string): ObjectWriter {
    const source = isGzip(key) ? createGzip() : new PassThrough();
    source.on('error', () => {}); // the driver's promise reports it
    const stored = this.driver.putStream(
      validateKey(key),
      source,
      contentTypeOf(key),
      this.options.tagsFor?.(key),
    );
    const failed = stored.then(() => undefined);
    failed.catch(() => {}); // surfaced by the next write or close
    return {
      write: async (data) => {
        if (!source.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data))
          await Promise.race([once(source, 'drain'), failed]);
      },
      close: async () => {
        source.end();
        await stored;
      },
      abort: async () => {
        source.destroy(new StorageError(`Writing ${key} (in ${this.location}) was aborted`));
        await stored.catch(() => {});
      },
    };
  }

  /** Reads bytes; gunzipped when the key ends in `.gz`. */
  async get(key: string): Promise<Uint8Array> {
    const bytes = await this.driver.get(validateKey(key));
    if (!isGzip(key)) return bytes;
    try {
      return gunzipSync(bytes);
    } catch (error) {
      throw new StorageError(
        `Corrupt gzip data at ${key} (in ${this.location}): ${(error as Error).message}`,
      );
    }
  }

  /** Reads UTF-8 text. */
  async getText(key: string): Promise<string> {
    return Buffer.from(await this.get(key)).toString('utf8');
  }

  /** Writes a value as JSON. */
  async putJson(key: string, value: unknown): Promise<void> {
    await this.put(key, JSON.stringify(value));
  }

  /** Reads JSON; a body that is not JSON is a `StorageError` naming the key. */
  async getJson<T = unknown>(key: string): Promise<T> {
    const text = await this.getText(key);
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new StorageError(
        `Invalid JSON at ${key} (in ${this.location}): ${(error as Error).message}`,
      );
    }
  }

  /** Whether the key exists. */
  async exists(key: string): Promise<boolean> {
    return this.driver.exists(validateKey(key));
  }

  /** Every key under the prefix (all pages), sorted. */
  async list(prefix: string): Promise<string[]> {
    return this.driver.list(validatePrefix(prefix));
  }

  /** Removes the key; a missing key is not an error. */
  async delete(key: string): Promise<void> {
    return this.driver.delete(validateKey(key));
  }
}
