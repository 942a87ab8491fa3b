import type { RunLayout } from '../contract/layout.js';
import { snapshotManifestSchema, type SnapshotManifest } from '../contract/snapshot-manifest.js';
import { NotFoundError, StageError, ValidationError } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { sha256 } from './checksum.js';

/** What to do about a snapshot that cannot be used. */
function redo(layout: RunLayout): string {
  return `Re-upload the experiment by starting a new run (locally, --run-id ${layout.runId} --yes replaces this one)`;
}

/**
 * Writes an experiment's files (path relative to `experiment/` -> text) under
 * the run's snapshot prefix, then the snapshot manifest LAST (an earlier one is
 * removed first), so an interrupted upload is never taken for a complete
 * snapshot. Returns the keys of the files written.
 */
export async function writeSnapshot(
  storage: Storage,
  layout: RunLayout,
  files: ReadonlyMap<string, string>,
): Promise<string[]> {
  await storage.delete(layout.snapshotManifest);
  const keys: string[] = [];
  const entries: SnapshotManifest['files'] = [];
  for (const [path, text] of files) {
    const key = layout.experimentFile(path);
    if (key === layout.snapshotManifest)
      throw new ValidationError(`"${path}" is reserved for the snapshot manifest: rename the file`);
    const bytes = Buffer.from(text, 'utf8');
    await storage.put(key, bytes);
    keys.push(key);
    entries.push({ path, sha256: sha256(bytes), bytes: bytes.length });
  }
  const manifest: SnapshotManifest = { version: 1, files: entries };
  await storage.putJson(layout.snapshotManifest, manifest);
  return keys;
}

/** The snapshot manifest; a StageError saying what to do when there is none or it is invalid. */
async function readSnapshotManifest(
  storage: Storage,
  layout: RunLayout,
  otherKeys: number,
): Promise<SnapshotManifest> {
  const where = `${layout.experimentPrefixKey} (in ${storage.location})`;
  let raw: unknown;
  try {
    raw = await storage.getJson(layout.snapshotManifest);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    if (otherKeys === 0)
      throw new StageError(
        `No experiment snapshot under ${where}: upload the experiment before running a stage`,
      );
    throw new StageError(
      `Incomplete experiment snapshot under ${where}: it has no ${layout.snapshotManifest}, which is written last ` +
        `(the upload was interrupted). ${redo(layout)}`,
    );
  }
  const parsed = snapshotManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StageError(
      `Invalid snapshot manifest ${layout.snapshotManifest}: ${issue?.path.join('.')}: ${issue?.message}. ${redo(layout)}`,
    );
  }
  return parsed.data;
}

/**
 * Reads the run's experiment snapshot (path relative to `experiment/` -> text,
 * in path order) and checks it against its manifest: a snapshot without a
 * manifest, or with a file missing, extra or differing from its sha256, is a
 * StageError listing every such file and saying what to do.
 */
export async function readVerifiedSnapshot(
  storage: Storage,
  layout: RunLayout,
): Promise<Map<string, string>> {
  const prefix = layout.experimentPrefixKey;
  const keys = (await storage.list(prefix)).filter((key) => key !== layout.snapshotManifest);
  const manifest = await readSnapshotManifest(storage, layout, keys.length);
  const listed = new Set(manifest.files.map((entry) => layout.experimentFile(entry.path)));
  const present = new Set(keys);
  const problems = keys
    .filter((key) => !listed.has(key))
    .map((key) => `${key.slice(prefix.length)}: not in the manifest (added after the upload)`);
  const files = new Map<string, string>();
  for (const entry of [...manifest.files].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  )) {
    const key = layout.experimentFile(entry.path);
    if (!present.has(key)) {
      problems.push(`${entry.path}: missing (the manifest lists it)`);
      continue;
    }
    const bytes = await storage.get(key);
    if (bytes.length === entry.bytes && sha256(bytes) === entry.sha256)
      files.set(entry.path, Buffer.from(bytes).toString('utf8'));
    else
      problems.push(
        `${entry.path}: differs from the manifest's sha256 (edited or corrupt after the upload)`,
      );
  }
  if (problems.length > 0) {
    throw new StageError(
      `Experiment snapshot under ${prefix} (in ${storage.location}) does not match its manifest ${layout.snapshotManifest}:\n  - ` +
        `${problems.join('\n  - ')}\n${redo(layout)}`,
    );
  }
  return files;
}

/** Every file of the run's experiment snapshot with its SHA-256, from the snapshot manifest. */
export async function snapshotEntries(
  storage: Storage,
  layout: RunLayout,
): Promise<SnapshotManifest['files']> {
  return (await readSnapshotManifest(storage, layout, 1)).files;
}
