import type { LogEntry, LogQuery } from '../backend/types.js';
import type { ExperimentListing } from '../run/run-listing.js';
import { RunLayout, parseStage, type StageName } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import { findExperimentIds } from '../host/experiment-source.js';
import type { LocalPaths } from '../host/paths.js';
import { listExperiments } from '../run/run-listing.js';
import type { Storage } from '../storage/index.js';
import { bucketPath, logsPrefix } from './run-state.js';

/** Experiments of the local folder and the local bucket, and their runs, newest run id first. */
export async function listLocalExperiments(
  paths: LocalPaths,
  storage: Storage,
): Promise<ExperimentListing[]> {
  return listExperiments(storage, await findExperimentIds(paths.experimentsDir));
}

function parseLogName(name: string): { stage: StageName; taskIndex?: number } | undefined {
  const match = /^(builder|runner|output)(?:_(\d+))?\.log$/.exec(name);
  if (match?.[1] === undefined) return undefined;
  return {
    stage: parseStage(match[1]),
    ...(match[2] === undefined ? {} : { taskIndex: Number(match[2]) }),
  };
}

/** The logs of a run (default the newest), filtered by stage and task index, in stage then index order. */
export async function readLocalLogs(
  paths: LocalPaths,
  storage: Storage,
  query: LogQuery,
): Promise<LogEntry[]> {
  const runId =
    query.runId ??
    (await listLocalExperiments(paths, storage)).find((e) => e.expId === query.expId)?.runs[0]
      ?.runId;
  if (runId === undefined)
    throw new ValidationError(`No runs of experiment "${query.expId}" in ${paths.bucketDir}`);
  const layout = new RunLayout(query.expId, runId);
  const prefix = logsPrefix(layout);
  const order = (s: StageName): number => ['builder', 'runner', 'output'].indexOf(s);
  const wanted = (await storage.list(prefix))
    .map((key) => ({ key, parsed: parseLogName(key.slice(prefix.length)) }))
    .filter(
      (e) =>
        e.parsed !== undefined && (query.stage === undefined || e.parsed.stage === query.stage),
    )
    .filter((e) => query.taskIndex === undefined || e.parsed?.taskIndex === query.taskIndex)
    .sort(
      (a, b) =>
        order(a.parsed!.stage) - order(b.parsed!.stage) ||
        (a.parsed!.taskIndex ?? 0) - (b.parsed!.taskIndex ?? 0),
    );
  if (wanted.length === 0) {
    const what = [
      query.stage,
      query.taskIndex === undefined ? undefined : `task ${query.taskIndex}`,
    ]
      .filter(Boolean)
      .join(' ');
    throw new ValidationError(
      `No logs${what ? ` for ${what}` : ''} in run ${runId} of ${query.expId} (${bucketPath(paths.bucketDir, prefix)})`,
    );
  }
  return Promise.all(
    wanted.map(async (e) => ({
      ...e.parsed!,
      location: bucketPath(paths.bucketDir, e.key),
      text: await storage.getText(e.key),
    })),
  );
}
