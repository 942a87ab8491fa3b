import type { Readable } from 'node:stream';
import { NotFoundError } from '../../lib/errors.js';
import type { ObjectTags, StorageDriver } from '../../lib/storage/types.js';

/** An in-memory driver for tests; copies bytes in and out so callers cannot alias them. */
export class MemoryDriver implements StorageDriver {
  readonly location = 'memory://';
  private readonly objects = new Map<
    string,
    { body: Uint8Array; contentType: string; tags: ObjectTags }
  >();

  async put(
    key: string,
    body: Uint8Array,
    contentType: string,
    tags: ObjectTags = {},
  ): Promise<void> {
    this.objects.set(key, { body: Uint8Array.from(body), contentType, tags: { ...tags } });
  }

  async putStream(
    key: string,
    body: Readable,
    contentType: string,
    tags: ObjectTags = {},
  ): Promise<void> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk as Uint8Array);
    await this.put(key, Buffer.concat(chunks), contentType, tags);
  }

  async get(key: string): Promise<Uint8Array> {
    const object = this.objects.get(key);
    if (object === undefined) throw new NotFoundError(key, this.location);
    return Uint8Array.from(object.body);
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  /** The tags a key was written with (for tests). */
  tags(key: string): ObjectTags | undefined {
    return this.objects.get(key)?.tags;
  }

  /** The content type a key was written with (for tests). */
  contentType(key: string): string | undefined {
    return this.objects.get(key)?.contentType;
  }
}
