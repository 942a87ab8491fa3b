import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { validateRunId } from '../contract/ids.js';
import { RunLayout, runsPrefix } from '../contract/layout.js';
import { RUN_DIRS } from '../contract/run-dirs.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { OUTPUT_INDEX, outputFolders } from './output-folders.js';
import { groupRuns } from './run-listing.js';

/** The report Stage C writes into every output folder, before its `index.json`. */
export const REPORT_FILE = 'report.html';

/** Which report to find: the newest finished output of the newest run, unless named. */
export interface ReportQuery {
  readonly expId: string;
  readonly runId?: string | undefined;
  /** An output folder's stamp (`20260301-120500`, or `outputs/20260301-120500/`). */
  readonly outputDir?: string | undefined;
  /** The image a run's experiment names as its own (its `stages:` config), if any: such a run has its image's outputs, no report. */
  readonly ownImageOf?: ((layout: RunLayout) => Promise<string | undefined>) | undefined;
}

/** A report found in storage. */
export interface FoundReport {
  readonly expId: string;
  readonly runId: string;
  /** The output folder's stamp. */
  readonly stamp: string;
  /** The output folder relative to the run: `outputs/<stamp>/`. */
  readonly outputDir: string;
  /** The report's storage key. */
  readonly key: string;
  /** Newer runs passed over because no output folder of theirs is finished. */
  readonly passedOver: readonly string[];
}

/** The run: the one named, or the newest with a finished output folder; with its keys relative to the run. */
function pickRun(
  storage: Storage,
  query: ReportQuery,
  byRun: ReadonlyMap<string, string[]>,
): { runId: string; keys: readonly string[]; passedOver: string[] } {
  if (query.runId !== undefined) {
    const keys = byRun.get(query.runId);
    if (keys === undefined)
      throw new NotFoundError(`run ${query.runId} of experiment ${query.expId}`, storage.location);
    return { runId: query.runId, keys, passedOver: [] };
  }
  const newestFirst = [...byRun].sort(([a], [b]) => b.localeCompare(a));
  const at = newestFirst.findIndex(([, keys]) => outputFolders(keys).finished.length > 0);
  const chosen = newestFirst[at];
  if (chosen === undefined)
    throw new NotFoundError(
      newestFirst.length === 0
        ? `runs of experiment ${query.expId}`
        : `a finished output folder (with ${OUTPUT_INDEX}) in any run of experiment ${query.expId}: Stage C has not finished a run yet`,
      storage.location,
    );
  return {
    runId: chosen[0],
    keys: chosen[1],
    passedOver: newestFirst.slice(0, at).map(([r]) => r),
  };
}

/** The output folder's stamp: the one asked for (it must be finished), or the newest finished one. */
function pickStamp(
  location: string,
  runId: string,
  keys: readonly string[],
  asked: string | undefined,
): string {
  const { finished, unfinished } = outputFolders(keys);
  const stamp = asked?.replace(new RegExp(`^${RUN_DIRS.outputs}/`), '').replace(/\/$/, '');
  if (stamp === undefined) {
    const newest = finished.at(-1);
    if (newest === undefined)
      throw new NotFoundError(
        `a finished output folder (with ${OUTPUT_INDEX}) of run ${runId}: run its Stage C first`,
        location,
      );
    return newest;
  }
  if (!finished.includes(stamp))
    throw new ValidationError(
      `Output folder "${stamp}" of run ${runId} is ${unfinished.includes(stamp) ? `unfinished (no ${OUTPUT_INDEX})` : 'not there'}: ` +
        `expected one of ${finished.length > 0 ? finished.join(', ') : '(none finished)'}`,
    );
  return stamp;
}

/**
 * Finds the `report.html` of a run's output folder: the named run, or the
 * newest run with a finished output folder; the named folder, or its newest
 * finished one. A folder without a report (written before reports existed)
 * is a NotFoundError that says to re-run Stage C.
 */
export async function findReport(storage: Storage, query: ReportQuery): Promise<FoundReport> {
  const prefix =
    query.runId === undefined
      ? runsPrefix(query.expId)
      : new RunLayout(query.expId, validateRunId(query.runId)).prefix;
  const byRun = groupRuns(await storage.list(prefix)).get(query.expId) ?? new Map();
  const { runId, keys, passedOver } = pickRun(storage, query, byRun);
  const stamp = pickStamp(storage.location, runId, keys, query.outputDir);
  const outputDir = `${RUN_DIRS.outputs}/${stamp}/`;
  const layout = new RunLayout(query.expId, runId);
  const ownImage = keys.includes(`${outputDir}${REPORT_FILE}`)
    ? undefined
    : await query.ownImageOf?.(layout);
  if (ownImage !== undefined)
    throw new NotFoundError(
      `${REPORT_FILE} in output folder ${layout.outputDir(stamp)}`,
      `${storage.location}; ${REPORT_FILE} is the built-in engine's, and this run's stages ran in its own image ${ownImage}: ` +
        `see what it wrote with epycloud download --exp-id ${query.expId} --run-id ${runId}`,
    );
  if (!keys.includes(`${outputDir}${REPORT_FILE}`))
    throw new NotFoundError(
      `${REPORT_FILE} in output folder ${layout.outputDir(stamp)}`,
      `${storage.location}; the folder was written before Stage C wrote reports: re-run Stage C to write one ` +
        `(epycloud run job --stage C --exp-id ${query.expId} --run-id ${runId}, with --local for a local run)`,
    );
  return {
    expId: query.expId,
    runId,
    stamp,
    outputDir,
    key: `${layout.outputDir(stamp)}${REPORT_FILE}`,
    passedOver,
  };
}

/** Copies a found report to `<toDir>/<expId>/<runId>/<stamp>/report.html` (whole or not at all) and returns that path. */
export async function downloadReport(
  storage: Storage,
  report: FoundReport,
  toDir: string,
): Promise<string> {
  const root = resolve(toDir);
  const target = resolve(join(root, report.expId, report.runId, report.stamp, REPORT_FILE));
  if (!target.startsWith(root + sep))
    throw new ValidationError(`Refusing to write ${report.key} outside ${root}`);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(`${target}.partial`, await storage.driver.get(report.key));
  await rename(`${target}.partial`, target);
  return target;
}
