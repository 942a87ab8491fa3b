import { createHash } from 'node:crypto';
import type { RunLayout } from '../contract/layout.js';
import type { Storage } from '../storage/index.js';
import { writeManifest } from '../run/manifest.js';

/**
 * Writes a manifest of N tasks (as Stage A would) for planning rehearsals,
 * so the planner runs on a real manifest without building N inputs.
 */
export async function seedManifest(
  storage: Storage,
  layout: RunLayout,
  numTasks: number,
): Promise<void> {
  const sha256 = createHash('sha256').update('planning rehearsal').digest('hex');
  const entries = Array.from({ length: numTasks }, (_, index) => ({
    index,
    key: layout.input(index),
    sha256,
  }));
  await writeManifest(storage, layout, entries, new Date().toISOString());
}
