import type { RunLayout } from '../contract/layout.js';
import { manifestSchema, type Manifest } from '../contract/manifest.js';
import { NotFoundError, StageError } from '../errors.js';
import type { Storage } from '../storage/index.js';

/** Whether Stage A finished (its manifest exists). */
export async function hasManifest(storage: Storage, layout: RunLayout): Promise<boolean> {
  return storage.exists(layout.manifest);
}

/**
 * The run's manifest, strictly: a missing one means Stage A has not completed;
 * a malformed one, one whose task count disagrees with its inputs, or one of
 * another run is a `StageError` naming the key.
 */
export async function readManifest(storage: Storage, layout: RunLayout): Promise<Manifest> {
  let raw: unknown;
  try {
    raw = await storage.getJson(layout.manifest);
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new StageError(
        `No manifest at ${layout.manifest} (in ${storage.location}): Stage A (builder) has not completed for run ${layout.runId}`,
      );
    }
    throw error;
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new StageError(
      `Invalid manifest at ${layout.manifest} (in ${storage.location}): ${problems}`,
    );
  }
  const manifest = parsed.data;
  if (manifest.inputs.length !== manifest.numTasks) {
    throw new StageError(
      `Invalid manifest at ${layout.manifest}: numTasks is ${manifest.numTasks} but it lists ${manifest.inputs.length} inputs`,
    );
  }
  if (manifest.expId !== layout.expId || manifest.runId !== layout.runId) {
    throw new StageError(
      `Manifest ${layout.manifest} belongs to ${manifest.expId}/${manifest.runId}, not ${layout.expId}/${layout.runId}`,
    );
  }
  return manifest;
}
