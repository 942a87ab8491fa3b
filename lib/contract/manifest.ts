import { z } from 'zod';

/** A hex sha256 digest. */
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/** Task inputs listed per manifest part: what one Stage B task reads besides the head. */
export const MANIFEST_PART_SIZE = 1000;

/** One task input as Stage A wrote it. */
export const manifestEntrySchema = z.object({
  index: z.number().int().nonnegative(),
  key: z.string(),
  sha256: sha256Schema,
});

/**
 * `builder-artifacts/manifest.json`, the head, written LAST by Stage A: its
 * presence means every input and every part exists. The planner (cloud), the
 * local orchestrator and Stage C read `numTasks` here; the input hashes live
 * in parts of `partSize` entries, so a Stage B task reads a head and one part
 * whatever N, and the planner's memory does not grow with N.
 */
export const manifestSchema = z.object({
  version: z.literal(2),
  expId: z.string(),
  runId: z.string(),
  numTasks: z.number().int().nonnegative(),
  createdAt: z.string(),
  partSize: z.number().int().positive(),
});

/** `builder-artifacts/manifest-parts/part_NNNNN.json`: entries `first` .. `first + partSize - 1`. */
export const manifestPartSchema = z.object({
  version: z.literal(2),
  first: z.number().int().nonnegative(),
  inputs: z.array(manifestEntrySchema),
});

/** The parsed manifest head. */
export type Manifest = z.infer<typeof manifestSchema>;
/** One task input of the manifest. */
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;
/** One part of the manifest's entries. */
export type ManifestPart = z.infer<typeof manifestPartSchema>;
