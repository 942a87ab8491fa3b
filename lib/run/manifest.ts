import type { RunLayout } from '../contract/layout.js';
import {
  MANIFEST_PART_SIZE,
  manifestPartSchema,
  manifestSchema,
  type Manifest,
  type ManifestEntry,
} from '../contract/manifest.js';
import { NotFoundError, StageError } from '../errors.js';
import type { Storage } from '../storage/index.js';

/** Parts written at a time. */
const PART_WRITES = 8;

/** Whether Stage A finished (its manifest head exists). */
export async function hasManifest(storage: Storage, layout: RunLayout): Promise<boolean> {
  return storage.exists(layout.manifest);
}

const describeIssues = (issues: readonly { path: PropertyKey[]; message: string }[]): string =>
  issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/**
 * Writes the manifest of a build: every part of its entries, then the head
 * LAST (so a head means a whole manifest). Returns the head.
 */
export async function writeManifest(
  storage: Storage,
  layout: RunLayout,
  entries: readonly ManifestEntry[],
  createdAt: string,
  partSize = MANIFEST_PART_SIZE,
): Promise<Manifest> {
  const parts = Math.ceil(entries.length / partSize);
  for (let k = 0; k < parts; k += PART_WRITES) {
    const batch = Array.from({ length: Math.min(PART_WRITES, parts - k) }, (_, j) => k + j);
    await Promise.all(
      batch.map((part) =>
        storage.putJson(layout.manifestPart(part), {
          version: 2,
          first: part * partSize,
          inputs: entries.slice(part * partSize, (part + 1) * partSize),
        }),
      ),
    );
  }
  const head: Manifest = {
    version: 2,
    expId: layout.expId,
    runId: layout.runId,
    numTasks: entries.length,
    createdAt,
    partSize,
  };
  await storage.putJson(layout.manifest, head);
  return head;
}

/**
 * The run's manifest head, strictly: a missing one means Stage A has not
 * completed; a malformed one or one of another run is a `StageError` naming the key.
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
    throw new StageError(
      `Invalid manifest at ${layout.manifest} (in ${storage.location}): ${describeIssues(parsed.error.issues)}`,
    );
  }
  const manifest = parsed.data;
  if (manifest.expId !== layout.expId || manifest.runId !== layout.runId) {
    throw new StageError(
      `Manifest ${layout.manifest} belongs to ${manifest.expId}/${manifest.runId}, not ${layout.expId}/${layout.runId}`,
    );
  }
  return manifest;
}

/** Part k of the manifest, checked: it must hold exactly the entries `k * partSize ..` in order. */
async function readPart(
  storage: Storage,
  layout: RunLayout,
  manifest: Manifest,
  part: number,
): Promise<ManifestEntry[]> {
  const key = layout.manifestPart(part);
  const raw = await storage.getJson(key).catch((error: unknown) => {
    if (error instanceof NotFoundError)
      throw new StageError(
        `Manifest part ${key} is missing: the build is corrupt; rebuild with a new run id`,
      );
    throw error;
  });
  const parsed = manifestPartSchema.safeParse(raw);
  if (!parsed.success)
    throw new StageError(`Invalid manifest part ${key}: ${describeIssues(parsed.error.issues)}`);
  const first = part * manifest.partSize;
  const expected = Math.min(manifest.partSize, manifest.numTasks - first);
  const { inputs } = parsed.data;
  if (
    parsed.data.first !== first ||
    inputs.length !== expected ||
    inputs.some((e, j) => e.index !== first + j)
  ) {
    throw new StageError(
      `Invalid manifest part ${key}: expected entries ${first}..${first + expected - 1} in order, got ${inputs.length} from ${parsed.data.first}`,
    );
  }
  return inputs;
}

/** Task i's manifest entry: reads one part, whatever the number of tasks. */
export async function readManifestEntry(
  storage: Storage,
  layout: RunLayout,
  manifest: Manifest,
  index: number,
): Promise<ManifestEntry> {
  if (!Number.isSafeInteger(index) || index < 0 || index >= manifest.numTasks) {
    throw new StageError(
      `Task index ${index} is out of range: the manifest lists ${manifest.numTasks} task(s)`,
    );
  }
  const part = Math.floor(index / manifest.partSize);
  return (await readPart(storage, layout, manifest, part))[index - part * manifest.partSize]!;
}

/** Every entry of the manifest, in index order (readers of the whole run: Stage C, resume, a rebuild). */
export async function readManifestEntries(
  storage: Storage,
  layout: RunLayout,
  manifest: Manifest,
): Promise<ManifestEntry[]> {
  const entries: ManifestEntry[] = [];
  const parts = Math.ceil(manifest.numTasks / manifest.partSize);
  for (let part = 0; part < parts; part++)
    entries.push(...(await readPart(storage, layout, manifest, part)));
  return entries;
}
