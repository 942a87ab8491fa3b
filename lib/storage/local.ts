import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { NotFoundError, StorageError, ValidationError } from '../errors.js';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StorageDriver } from './types.js';

const TEMP_MARK = '.tmp-';

const isMissing = (error: unknown): boolean =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * Keys as files under a root directory. Writes go to a temporary file that is
 * renamed into place, so a crash never leaves a truncated artifact; keys that
 * would resolve outside the root are rejected.
 */
export class LocalDriver implements StorageDriver {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get location(): string {
    return this.root;
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    if (path !== this.root && !path.startsWith(this.root + sep)) {
      throw new ValidationError(
        `Storage key "${key}" resolves outside the storage root ${this.root}`,
      );
    }
    return path;
  }

  private fail(action: string, key: string, error: unknown): never {
    throw new StorageError(
      `Could not ${action} ${key} (in ${this.root}): ${(error as Error).message}`,
    );
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    await this.writeAtomically(key, (temp) => writeFile(temp, body));
  }

  async putStream(key: string, body: Readable): Promise<void> {
    await this.writeAtomically(key, (temp) => pipeline(body, createWriteStream(temp)));
  }

  /** Writes a temporary file beside the key's and renames it into place; removes it on failure. */
  private async writeAtomically(
    key: string,
    write: (temp: string) => Promise<void>,
  ): Promise<void> {
    const path = this.path(key);
    const temp = join(
      dirname(path),
      `.${randomBytes(6).toString('hex')}${TEMP_MARK}${process.pid}`,
    );
    try {
      await mkdir(dirname(path), { recursive: true });
      await write(temp);
      await rename(temp, path);
    } catch (error) {
      await rm(temp, { force: true });
      this.fail('write', key, error);
    }
  }

  async get(key: string): Promise<Uint8Array> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR')
        throw new NotFoundError(key, this.root);
      this.fail('read', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.path(key))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      this.fail('stat', key, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const start = this.path(
      prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) || '.' : '.',
    );
    let entries;
    try {
      entries = await readdir(start, { recursive: true, withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return [];
      this.fail('list', prefix, error);
    }
    return entries
      .filter((e) => e.isFile() && !e.name.includes(TEMP_MARK))
      .map((e) => relative(this.root, join(e.parentPath, e.name)).split(sep).join('/'))
      .filter((key) => key.startsWith(prefix))
      .sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await rm(this.path(key), { force: true });
    } catch (error) {
      this.fail('delete', key, error);
    }
  }
}
