import type { RunSummary } from './summary.js';

/** A duration as people read it: `850 ms`, `42 s`, `12 min 3 s`, `2 h 5 min`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min ${s % 60} s`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** One line naming the run and how it ended: `epycloud run examples/seir-ma / 20260101-120000: succeeded`. */
export function headline(summary: RunSummary): string {
  return `epycloud run ${summary.expId} / ${summary.runId}: ${summary.state}`;
}

/** The facts of a summary as label/value pairs, in reading order; unknown facts are left out. */
export function facts(summary: RunSummary): { label: string; value: string }[] {
  const failed = summary.failedTasks;
  const failedText =
    failed === undefined
      ? undefined
      : `${failed.count}${failed.indexes?.length ? ` (${failed.indexes.join(', ')})` : ''}`;
  const all: [string, string | number | undefined][] = [
    ['experiment', summary.expId],
    ['run', summary.runId],
    ['state', summary.state],
    ['back end', summary.backend],
    ['reference date', summary.referenceDate],
    ['tasks', summary.numTasks],
    ['failed tasks', failedText],
    ['duration', summary.durationMs === undefined ? undefined : formatDuration(summary.durationMs)],
    ['failure', summary.failure],
    ['execution', summary.links.executionArn],
  ];
  return all
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([label, value]) => ({ label, value: String(value) }));
}
