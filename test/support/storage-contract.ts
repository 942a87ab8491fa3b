import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Storage } from '../../lib/storage/index.js';

/**
 * The ONE behavioural suite every storage backend must pass. `make` returns a
 * fresh, empty storage for each test. Reading through `storage.driver`
 * bypasses the gzip layer, to prove compression really happens.
 */
export function storageContract(name: string, make: () => Promise<Storage>): void {
  describe(`Storage contract: ${name}`, () => {
    it('round-trips bytes and text', async () => {
      const s = await make();
      await s.put('a/b/bytes.bin', new Uint8Array([0, 1, 2, 255]));
      await s.put('a/b/text.txt', 'héllo');
      expect([...(await s.get('a/b/bytes.bin'))]).toEqual([0, 1, 2, 255]);
      expect(await s.getText('a/b/text.txt')).toBe('héllo');
    });

    it('overwrites an existing key', async () => {
      const s = await make();
      await s.put('k.txt', 'one');
      await s.put('k.txt', 'two');
      expect(await s.getText('k.txt')).toBe('two');
    });

    it('gzips .gz keys on write and gunzips them on read', async () => {
      const s = await make();
      const text = 'date,value\n'.repeat(1000);
      await s.put('run/data.csv.gz', text);
      const stored = await s.driver.get('run/data.csv.gz');
      expect(stored[0]).toBe(0x1f);
      expect(stored[1]).toBe(0x8b);
      expect(stored.length).toBeLessThan(text.length / 10);
      expect(await s.getText('run/data.csv.gz')).toBe(text);
      await s.putJson('run/x.json.gz', { n: [1, 2, 3] });
      expect(await s.getJson('run/x.json.gz')).toEqual({ n: [1, 2, 3] });
    });

    it('reads gzip bytes written by another tool', async () => {
      const s = await make();
      await s.driver.put('ext.json.gz', gzipSync(Buffer.from('{"ok":true}')), 'application/gzip');
      expect(await s.getJson('ext.json.gz')).toEqual({ ok: true });
    });

    it('round-trips JSON', async () => {
      const s = await make();
      await s.putJson('m/manifest.json', { numTasks: 3, hashes: ['a', 'b'] });
      expect(await s.getJson('m/manifest.json')).toEqual({ numTasks: 3, hashes: ['a', 'b'] });
    });

    it('throws a typed NotFoundError for a missing key, naming it', async () => {
      const s = await make();
      const error = await s.get('missing/key.json').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as NotFoundError).key).toBe('missing/key.json');
      expect((error as Error).message).toContain('missing/key.json');
    });

    it('reports existence', async () => {
      const s = await make();
      expect(await s.exists('e/x.txt')).toBe(false);
      await s.put('e/x.txt', 'x');
      expect(await s.exists('e/x.txt')).toBe(true);
      expect(await s.exists('e')).toBe(false);
    });

    it('lists every key under a prefix, sorted, and nothing outside it', async () => {
      const s = await make();
      for (const k of ['p/b.txt', 'p/a.txt', 'p/sub/c.txt', 'pq/d.txt', 'other/e.txt'])
        await s.put(k, k);
      expect(await s.list('p/')).toEqual(['p/a.txt', 'p/b.txt', 'p/sub/c.txt']);
      expect(await s.list('p')).toEqual(['p/a.txt', 'p/b.txt', 'p/sub/c.txt', 'pq/d.txt']);
      expect(await s.list('p/sub/c')).toEqual(['p/sub/c.txt']);
      expect(await s.list('nothing/')).toEqual([]);
    });

    it('deletes keys, and deleting a missing key succeeds', async () => {
      const s = await make();
      await s.put('d/x.txt', 'x');
      await s.delete('d/x.txt');
      expect(await s.exists('d/x.txt')).toBe(false);
      await expect(s.delete('d/x.txt')).resolves.toBeUndefined();
    });

    it('rejects keys that climb out, are absolute or have empty segments', async () => {
      const s = await make();
      for (const key of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '', 'a\\b']) {
        await expect(s.put(key, 'x'), key).rejects.toBeInstanceOf(ValidationError);
        await expect(s.get(key), key).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(s.list('../')).rejects.toBeInstanceOf(ValidationError);
    });

    it('streams a large object in pieces, visible only once closed, gzipped for .gz keys', async () => {
      const s = await make();
      const piece = Uint8Array.from({ length: 256 * 1024 }, (_, i) => (i * 7919) % 251);
      const writer = s.openWriter('big/object.bin');
      for (let k = 0; k < 24; k++) await writer.write(piece); // 6 MiB: more than one S3 multipart part
      expect(await s.exists('big/object.bin')).toBe(false);
      await writer.close();
      const read = await s.get('big/object.bin');
      expect(read.length).toBe(24 * piece.length);
      expect(Buffer.from(read.subarray(23 * piece.length)).equals(Buffer.from(piece))).toBe(true);
      const text = s.openWriter('big/rows.csv.gz');
      for (let k = 0; k < 1000; k++) await text.write(`${k},row\n`);
      await text.close();
      expect((await s.driver.get('big/rows.csv.gz'))[0]).toBe(0x1f);
      expect(await s.getText('big/rows.csv.gz')).toBe(
        Array.from({ length: 1000 }, (_, k) => `${k},row\n`).join(''),
      );
      expect(await s.list('big/')).toEqual(['big/object.bin', 'big/rows.csv.gz']);
    });

    it('stores nothing of an aborted streamed object, and rejects a bad key', async () => {
      const s = await make();
      const writer = s.openWriter('part/object.csv.gz');
      await writer.write('a,b\n');
      await writer.abort();
      expect(await s.exists('part/object.csv.gz')).toBe(false);
      expect(await s.list('part/')).toEqual([]);
      expect(() => s.openWriter('../x.csv')).toThrow(ValidationError);
    });

    it('lists 2,500 keys across pages', async () => {
      const s = await make();
      const keys = Array.from(
        { length: 2500 },
        (_, i) => `many/result_${String(i).padStart(5, '0')}.json`,
      );
      for (let i = 0; i < keys.length; i += 100)
        await Promise.all(keys.slice(i, i + 100).map((k) => s.put(k, '{}')));
      const listed = await s.list('many/');
      expect(listed.length).toBe(2500);
      expect(listed).toEqual(keys);
    });
  });
}
