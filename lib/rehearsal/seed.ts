import { createHash } from 'node:crypto';
import type { RunLayout } from '../contract/layout.js';
import type { Manifest } from '../contract/manifest.js';
import type { Storage } from '../storage/index.js';

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
  const manifest: Manifest = {
    version: 1,
    expId: layout.expId,
    runId: layout.runId,
    numTasks,
    createdAt: new Date().toISOString(),
    inputs: Array.from({ length: numTasks }, (_, index) => ({
      index,
      key: layout.input(index),
      sha256,
    })),
  };
  await storage.putJson(layout.manifest, manifest);
}
