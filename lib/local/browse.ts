import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ExperimentListing, LogEntry, LogQuery, RunListing } from '../backend/types.js';
import { RunLayout, RUN_DIRS, parseRunKey, parseStage, type StageName } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import { outputFolders } from '../run/output-folders.js';
import type { Storage } from '../storage/index.js';
import { bucketPath, logsPrefix, readManifest } from './run-state.js';
import type { LocalPaths } from '../host/paths.js';

const MAX_DEPTH = 6;

/** Experiment ids under the experiments folder: every folder that holds a `config/` folder. */
export async function findExperimentIds(experimentsDir: string, dir = experimentsDir, depth = 0): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  if (entries.some((e) => e.isDirectory() && e.name === 'config')) return [relative(experimentsDir, dir).split(sep).join('/')];
  if (depth >= MAX_DEPTH) return [];
  const nested = await Promise.all(
    entries
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => findExperimentIds(experimentsDir, join(dir, e.name), depth + 1)),
  );
  return nested.flat().sort();
}

/** Groups bucket keys by run: `expId -> runId -> keys relative to the run`; keys under no run are left out. */
export function groupRuns(keys: readonly string[]): Map<string, Map<string, string[]>> {
  const runs = new Map<string, Map<string, string[]>>();
  for (const key of keys) {
    const parsed = parseRunKey(key);
    if (parsed === undefined) continue;
    const byRun = runs.get(parsed.expId) ?? new Map<string, string[]>();
    byRun.set(parsed.runId, [...(byRun.get(parsed.runId) ?? []), parsed.keyInRun]);
    runs.set(parsed.expId, byRun);
  }
  return runs;
}

async function describeRun(storage: Storage, expId: string, runId: string, keys: readonly string[]): Promise<RunListing> {
  const layout = new RunLayout(expId, runId);
  const results = keys.filter((k) => k.startsWith(`${RUN_DIRS.runner}/result_`)).length;
  const outputs = outputFolders(keys).finished.length;
  const hasManifest = keys.includes(`${RUN_DIRS.builder}/manifest.json`);
  const numTasks = hasManifest
    ? await readManifest(storage, layout).then(
        (m) => m.numTasks,
        () => undefined,
      )
    : undefined;
  const state =
    outputs > 0 ? 'complete' : numTasks !== undefined && results >= numTasks ? 'results ready' : hasManifest ? 'built' : 'started';
  return { runId, state, numTasks, results, outputs };
}

/** When a run folder was last touched, for newest-first order. */
async function runTime(paths: LocalPaths, expId: string, runId: string): Promise<number> {
  return stat(bucketPath(paths.bucketDir, new RunLayout(expId, runId).prefix)).then(
    (s) => s.mtimeMs,
    () => 0,
  );
}

/** Experiments (with a config folder or with runs in the bucket) and their runs, newest first. */
export async function listLocalExperiments(paths: LocalPaths, storage: Storage): Promise<ExperimentListing[]> {
  const configured = new Set(await findExperimentIds(paths.experimentsDir));
  const runs = groupRuns(await storage.list(''));
  const ids = [...new Set([...configured, ...runs.keys()])].sort();
  return Promise.all(
    ids.map(async (expId) => {
      const byRun = [...(runs.get(expId) ?? new Map<string, string[]>())];
      const described = await Promise.all(
        byRun.map(async ([runId, keys]) => ({
          run: await describeRun(storage, expId, runId, keys),
          time: await runTime(paths, expId, runId),
        })),
      );
      described.sort((a, b) => b.time - a.time || b.run.runId.localeCompare(a.run.runId));
      return { expId, hasConfig: configured.has(expId), runs: described.map((d) => d.run) };
    }),
  );
}

function parseLogName(name: string): { stage: StageName; taskIndex?: number } | undefined {
  const match = /^(builder|runner|output)(?:_(\d+))?\.log$/.exec(name);
  if (match?.[1] === undefined) return undefined;
  return { stage: parseStage(match[1]), ...(match[2] === undefined ? {} : { taskIndex: Number(match[2]) }) };
}

/** The logs of a run (default the newest), filtered by stage and task index, in stage then index order. */
export async function readLocalLogs(paths: LocalPaths, storage: Storage, query: LogQuery): Promise<LogEntry[]> {
  const runId = query.runId ?? (await listLocalExperiments(paths, storage)).find((e) => e.expId === query.expId)?.runs[0]?.runId;
  if (runId === undefined) throw new ValidationError(`No runs of experiment "${query.expId}" in ${paths.bucketDir}`);
  const layout = new RunLayout(query.expId, runId);
  const prefix = logsPrefix(layout);
  const order = (s: StageName): number => ['builder', 'runner', 'output'].indexOf(s);
  const wanted = (await storage.list(prefix))
    .map((key) => ({ key, parsed: parseLogName(key.slice(prefix.length)) }))
    .filter((e) => e.parsed !== undefined && (query.stage === undefined || e.parsed.stage === query.stage))
    .filter((e) => query.taskIndex === undefined || e.parsed?.taskIndex === query.taskIndex)
    .sort((a, b) => order(a.parsed!.stage) - order(b.parsed!.stage) || (a.parsed!.taskIndex ?? 0) - (b.parsed!.taskIndex ?? 0));
  if (wanted.length === 0) {
    const what = [query.stage, query.taskIndex === undefined ? undefined : `task ${query.taskIndex}`].filter(Boolean).join(' ');
    throw new ValidationError(
      `No logs${what ? ` for ${what}` : ''} in run ${runId} of ${query.expId} (${bucketPath(paths.bucketDir, prefix)})`,
    );
  }
  return Promise.all(
    wanted.map(async (e) => ({ ...e.parsed!, location: bucketPath(paths.bucketDir, e.key), text: await storage.getText(e.key) })),
  );
}
