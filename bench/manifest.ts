/**
 * `npm run bench manifest`: what the manifest costs at scale, for N = 1e3,
 * 1e5 and 1e6 tasks on a local bucket in a temporary folder (removed after):
 * the bytes one Stage B task reads to find its input's hash (the head and one
 * part; before, the whole manifest), and the planner's memory (PlanStageB in
 * its own process: peak RSS and heap after planning).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RunLayout } from '../lib/contract/layout.js';
import { readManifest, readManifestEntry, writeManifest } from '../lib/run/manifest.js';
import { LocalDriver, Storage } from '../lib/storage/index.js';

const SIZES = [1_000, 100_000, 1_000_000];

/** A local driver that counts the bytes its reads return. */
class CountingDriver extends LocalDriver {
  bytesRead = 0;
  override async get(key: string): Promise<Uint8Array> {
    const bytes = await super.get(key);
    this.bytesRead += bytes.length;
    return bytes;
  }
}

async function planner(
  root: string,
  layout: RunLayout,
): Promise<{ maxRssMiB: number; heapMiB: number }> {
  const script = join(import.meta.dirname, 'manifest-planner.ts');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', script, root, layout.expId, layout.runId],
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as { maxRssMiB: number; heapMiB: number };
}

/** Prints one line per N. */
export async function run(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'epycloud-bench-manifest-'));
  try {
    process.stdout.write(
      'tasks       whole manifest (v1) B  task reads now B  planner peak RSS MiB  heap MiB  write s\n',
    );
    for (const n of SIZES) {
      const driver = new CountingDriver(root);
      const storage = new Storage(driver);
      const layout = new RunLayout('bench/manifest', `n${n}`);
      const entries = Array.from({ length: n }, (_, index) => ({
        index,
        key: layout.input(index),
        sha256: 'ab'.repeat(32),
      }));
      const whole = Buffer.byteLength(JSON.stringify({ version: 1, numTasks: n, inputs: entries }));
      const start = performance.now();
      await writeManifest(storage, layout, entries, new Date().toISOString());
      const writeS = (performance.now() - start) / 1000;
      driver.bytesRead = 0;
      await readManifestEntry(storage, layout, await readManifest(storage, layout), n - 1);
      const mem = await planner(root, layout);
      process.stdout.write(
        `${String(n).padEnd(11)} ${String(whole).padStart(21)} ${String(driver.bytesRead).padStart(17)} ${mem.maxRssMiB.toFixed(0).padStart(21)} ${mem.heapMiB.toFixed(1).padStart(9)} ${writeS.toFixed(1).padStart(8)}\n`,
      );
      await rm(join(root, ...layout.prefix.split('/')), { recursive: true, force: true });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
