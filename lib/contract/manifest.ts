import { z } from 'zod';

/** A hex sha256 digest. */
export const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * `builder-artifacts/manifest.json`: what Stage A wrote. The planner (cloud),
 * the local orchestrator and Stage C read `numTasks` from here; Stage B uses
 * the hashes to stay idempotent.
 */
export const manifestSchema = z.object({
  version: z.literal(1),
  expId: z.string(),
  runId: z.string(),
  numTasks: z.number().int().nonnegative(),
  createdAt: z.string(),
  /** One entry per task, in index order. */
  inputs: z.array(
    z.object({
      index: z.number().int().nonnegative(),
      key: z.string(),
      sha256: sha256Schema,
    }),
  ),
});

/** The parsed manifest. */
export type Manifest = z.infer<typeof manifestSchema>;
