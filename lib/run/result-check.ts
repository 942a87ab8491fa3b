import type { RunLayout } from '../contract/layout.js';
import type { Manifest } from '../contract/manifest.js';
import { readManifestEntries } from './manifest.js';
import { runnerRecordSchema, type ResultChecksum } from '../contract/result-checksum.js';
import { NotFoundError, StorageError } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { sha256 } from './checksum.js';

/** Why a stored result cannot be used as it is. */
export type ResultProblem = 'missing' | 'unreadable' | 'unrecorded' | 'stale' | 'mismatch';

/**
 * A result checked against the checksum Stage B recorded: its bytes when it is
 * good; otherwise the problem, a sentence about it, and the storage error
 * behind it when there was one.
 */
export type CheckedResult =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly checksum: ResultChecksum }
  | {
      readonly ok: false;
      readonly problem: ResultProblem;
      readonly detail: string;
      readonly cause?: StorageError;
    };

/** A result that must be (re)computed, and why. */
export interface ResultToCompute {
  readonly index: number;
  readonly problem: ResultProblem;
  readonly detail: string;
}

/**
 * Writes result i as the given bytes (whatever its format) and returns their
 * checksum, for Stage B to record in its summary after this write.
 */
export async function writeResult(
  storage: Storage,
  layout: RunLayout,
  index: number,
  inputSha256: string,
  body: Uint8Array | string,
): Promise<ResultChecksum> {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const key = layout.result(index);
  await storage.put(key, bytes);
  return { key, inputSha256, sha256: sha256(bytes), bytes: bytes.length };
}

/** The checksum recorded for result i: none when its summary is missing or holds none; a storage error as `cause`. */
async function recordedChecksum(storage: Storage, layout: RunLayout, index: number) {
  try {
    return {
      checksum: runnerRecordSchema.safeParse(await storage.getJson(layout.summary('runner', index)))
        .data?.result,
    };
  } catch (error) {
    if (error instanceof NotFoundError) return { checksum: undefined };
    if (error instanceof StorageError) return { checksum: undefined, cause: error };
    throw error;
  }
}

const fail = (problem: ResultProblem, detail: string, cause?: StorageError): CheckedResult => ({
  ok: false,
  problem,
  detail,
  cause,
});

/**
 * Reads result i and checks it against the checksum in `summaries/runner_i.json`
 * and against the input hash it must have been computed from. Never throws for
 * a bad or missing result or record: says why instead.
 */
export async function checkResult(
  storage: Storage,
  layout: RunLayout,
  index: number,
  inputSha256: string,
): Promise<CheckedResult> {
  const key = layout.result(index);
  const record = layout.summary('runner', index);
  let bytes: Uint8Array;
  try {
    bytes = await storage.get(key);
  } catch (error) {
    if (error instanceof NotFoundError) return fail('missing', `${key} does not exist`);
    if (error instanceof StorageError) return fail('unreadable', error.message, error);
    throw error;
  }
  const { checksum, cause } = await recordedChecksum(storage, layout, index);
  if (checksum === undefined)
    return fail(
      'unrecorded',
      `${record} records no checksum of ${key} (Stage B did not finish it)`,
      cause,
    );
  if (checksum.inputSha256 !== inputSha256)
    return fail(
      'stale',
      `${key} was computed from a different input than the manifest's (stale result)`,
    );
  if (checksum.bytes !== bytes.length || checksum.sha256 !== sha256(bytes)) {
    return fail(
      'mismatch',
      `${key} does not match the sha256 Stage B recorded in ${record} (edited or corrupt after it was written)`,
    );
  }
  return { ok: true, bytes, checksum };
}

/** The results of a run that must be (re)computed, in index order: missing, unreadable, unrecorded, stale or mismatched. */
export async function resultsToCompute(
  storage: Storage,
  layout: RunLayout,
  manifest: Manifest,
): Promise<ResultToCompute[]> {
  const present = new Set(await storage.list(layout.resultsPrefix));
  const out: ResultToCompute[] = [];
  for (const { index, sha256: inputSha256 } of await readManifestEntries(
    storage,
    layout,
    manifest,
  )) {
    const checked = present.has(layout.result(index))
      ? await checkResult(storage, layout, index, inputSha256)
      : fail('missing', `${layout.result(index)} does not exist`);
    if (!checked.ok) out.push({ index, problem: checked.problem, detail: checked.detail });
  }
  return out;
}

/** How to recompute result i, locally and on AWS. */
export function recomputeHint(layout: RunLayout, index: number): string {
  const run = `--exp-id ${layout.expId}`;
  return (
    `recompute it with \`epycloud run workflow --local ${run} --resume ${layout.runId}\` (local) or ` +
    `\`epycloud run job --stage B ${run} --run-id ${layout.runId} --task-index ${index}\` (AWS), then run Stage C again`
  );
}
