import type { Readable } from 'node:stream';
import { ValidationError } from '../errors.js';
import type { ObjectTags, StorageDriver } from '../storage/types.js';

/**
 * A driver that keeps the keys under `from` under `to` of another driver, and
 * refuses any other key. It lets lib/run's snapshot writer, which addresses a
 * run's `experiment/` through a RunLayout, write a schedule's snapshot under
 * the schedule's own prefix (`{expId}/schedules/{name}/experiment/`).
 */
export class RebasedDriver implements StorageDriver {
  constructor(
    private readonly inner: StorageDriver,
    private readonly from: string,
    private readonly to: string,
  ) {}

  get location(): string {
    return this.inner.location;
  }

  private key(key: string): string {
    if (!key.startsWith(this.from))
      throw new ValidationError(
        `Key "${key}" is outside ${this.from}: nothing else is written here`,
      );
    return `${this.to}${key.slice(this.from.length)}`;
  }

  put(key: string, body: Uint8Array, contentType: string, tags?: ObjectTags): Promise<void> {
    return this.inner.put(this.key(key), body, contentType, tags);
  }

  putStream(key: string, body: Readable, contentType: string, tags?: ObjectTags): Promise<void> {
    return this.inner.putStream(this.key(key), body, contentType, tags);
  }

  get(key: string): Promise<Uint8Array> {
    return this.inner.get(this.key(key));
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(this.key(key));
  }

  async list(prefix: string): Promise<string[]> {
    const keys = await this.inner.list(this.key(prefix));
    return keys.map((key) => `${this.from}${key.slice(this.to.length)}`);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(this.key(key));
  }
}
