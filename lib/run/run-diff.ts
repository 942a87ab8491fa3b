import { createTwoFilesPatch } from 'diff';
import type { RunLayout } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { readRunRecord, type RunRecord } from './run-record.js';
import { snapshotEntries } from './experiment-snapshot.js';

/** A run id with no run behind it: bad input (exit 2). */
class RunNotFoundError extends ValidationError {}

/** Files larger than this are compared by hash and size only. */
const TEXT_DIFF_MAX_BYTES = 64 * 1024;

/** One experiment file that differs between two runs. */
export interface FileChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly before?: { readonly sha256: string; readonly bytes: number };
  readonly after?: { readonly sha256: string; readonly bytes: number };
  /** A unified diff of a changed text file under 64 KiB. */
  readonly patch?: string;
}

/** One setting of the run records that differs (version, stage code, git commit, reference date, ...). */
export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** What changed from run A to run B. */
export interface RunDiff {
  readonly a: string;
  readonly b: string;
  /** Whether the two experiments' files are byte for byte the same. */
  readonly sameExperiment: boolean;
  readonly files: readonly FileChange[];
  readonly fields: readonly FieldChange[];
  /** Runs without a `run.json` (from before run records): only their files are compared. */
  readonly withoutRecord: readonly string[];
}

/** The run-record fields worth comparing, by name. */
function comparable(record: RunRecord | undefined): Record<string, unknown> {
  if (record === undefined) return {};
  return {
    epycloudVersion: record.epycloudVersion,
    stageCode: record.stageCode,
    git: record.git,
    referenceDate: record.referenceDate,
    outputConfigFile: record.outputConfigFile,
    backend: `${record.backend} (${record.runtime})`,
    cache: record.cache.enabled,
    state: record.state,
  };
}

async function snapshotFiles(storage: Storage, layout: RunLayout) {
  if (!(await storage.exists(layout.snapshotManifest)))
    throw new RunNotFoundError(
      `Run ${layout.runId} of ${layout.expId} has no experiment snapshot (${layout.snapshotManifest} in ${storage.location}): check the run id (epycloud experiment list)`,
    );
  return new Map((await snapshotEntries(storage, layout)).map((f) => [f.path, f]));
}

async function patchOf(
  storage: Storage,
  a: RunLayout,
  b: RunLayout,
  path: string,
  bytes: number,
): Promise<string | undefined> {
  if (bytes > TEXT_DIFF_MAX_BYTES) return undefined;
  const [before, after] = await Promise.all([
    storage.getText(a.experimentFile(path)),
    storage.getText(b.experimentFile(path)),
  ]);
  if (before.includes('\0') || after.includes('\0')) return undefined;
  return createTwoFilesPatch(`${a.runId}/${path}`, `${b.runId}/${path}`, before, after);
}

/**
 * Compares two runs of the same storage: their experiment snapshots file by
 * file (added, removed, changed, with a unified diff of small text files),
 * and their run records (version, stage code, git commit, reference date,
 * output config, back end, cache, state).
 */
export async function diffRuns(storage: Storage, a: RunLayout, b: RunLayout): Promise<RunDiff> {
  const [filesA, filesB, recordA, recordB] = await Promise.all([
    snapshotFiles(storage, a),
    snapshotFiles(storage, b),
    readRunRecord(storage, a),
    readRunRecord(storage, b),
  ]);
  const paths = [...new Set([...filesA.keys(), ...filesB.keys()])].sort();
  const files: FileChange[] = [];
  for (const path of paths) {
    const [before, after] = [filesA.get(path), filesB.get(path)];
    if (before?.sha256 === after?.sha256) continue;
    const sides = {
      ...(before ? { before: { sha256: before.sha256, bytes: before.bytes } } : {}),
      ...(after ? { after: { sha256: after.sha256, bytes: after.bytes } } : {}),
    };
    if (!before || !after) {
      files.push({ path, change: before ? 'removed' : 'added', ...sides });
      continue;
    }
    const patch = await patchOf(storage, a, b, path, Math.max(before.bytes, after.bytes));
    files.push({ path, change: 'changed', ...sides, ...(patch ? { patch } : {}) });
  }
  const [fieldsA, fieldsB] = [comparable(recordA), comparable(recordB)];
  const fields = Object.keys({ ...fieldsA, ...fieldsB })
    .filter((field) => JSON.stringify(fieldsA[field]) !== JSON.stringify(fieldsB[field]))
    .map((field) => ({ field, before: fieldsA[field], after: fieldsB[field] }));
  const withoutRecord = [...(recordA ? [] : [a.runId]), ...(recordB ? [] : [b.runId])];
  return {
    a: a.runId,
    b: b.runId,
    sameExperiment: files.length === 0,
    files,
    fields,
    withoutRecord,
  };
}
