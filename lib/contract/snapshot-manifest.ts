import { z } from 'zod';
import { sha256Schema } from './manifest.js';

/**
 * `experiment/snapshot-manifest.json`: every file of a run's experiment
 * snapshot (path relative to `experiment/`, sha256 and size of its bytes),
 * written after the files. A snapshot without it, or whose files differ from
 * it, is incomplete and refused.
 */
export const snapshotManifestSchema = z.object({
  version: z.literal(1),
  files: z.array(
    z.object({
      path: z.string().min(1),
      sha256: sha256Schema,
      bytes: z.number().int().nonnegative(),
    }),
  ),
});

/** The parsed snapshot manifest. */
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;
