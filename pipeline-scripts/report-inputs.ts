import type { RunLayout } from '../lib/contract/layout.js';
import { indexFromName } from '../lib/contract/layout.js';
import type { ReportStages } from '../lib/report/report-data.js';
import type { Storage } from '../lib/storage/index.js';
import { mapLimit } from './artifacts.js';
import type { BuilderSummary } from './builder.js';
import type { RunnerSummary } from './runner.js';

/** Task summaries read in parallel at a time. */
const READ_BATCH = 16;

/** The most intervals open at once (a start and an end at the same instant do not overlap). */
function peakConcurrency(intervals: readonly (readonly [number, number])[]): number {
  const events = intervals.flatMap(([start, end]) => [
    [start, 1],
    [end, -1],
  ]);
  events.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let open = 0;
  let peak = 0;
  for (const [, delta] of events) peak = Math.max(peak, (open += delta!));
  return peak;
}

/** Stage B's figures from its task summaries: busy time, wall time, peak concurrency, efficiency, retries. */
export function runnerStats(
  summaries: readonly RunnerSummary[],
): NonNullable<ReportStages['runner']> {
  const busyMs = summaries.reduce((sum, s) => sum + s.timingsMs.total, 0);
  const timed = summaries.filter((s) => s.startedAt !== undefined && s.finishedAt !== undefined);
  const intervals = timed.map((s) => [Date.parse(s.startedAt), Date.parse(s.finishedAt)] as const);
  const slowest = summaries.reduce<RunnerSummary | undefined>(
    (worst, s) => (worst === undefined || s.timingsMs.total > worst.timingsMs.total ? s : worst),
    undefined,
  );
  const stats = {
    tasks: summaries.length,
    skipped: summaries.filter((s) => s.skipped).length,
    busyMs,
    retried: summaries
      .filter((s) => (s.attempt ?? 1) > 1)
      .map((s) => ({ index: s.taskIndex, attempts: s.attempt })),
    ...(slowest ? { slowest: { index: slowest.taskIndex, ms: slowest.timingsMs.total } } : {}),
  };
  if (intervals.length === 0) return stats;
  const wallMs = Math.max(...intervals.map(([, e]) => e)) - Math.min(...intervals.map(([s]) => s));
  const peak = peakConcurrency(intervals);
  return {
    ...stats,
    wallMs,
    peakConcurrency: peak,
    efficiency: wallMs > 0 ? Math.min(1, busyMs / (peak * wallMs)) : 1,
  };
}

/** What the stages recorded under `summaries/`: Stage A's summary and every task's (older runs may lack times). */
export async function stageRecords(
  storage: Storage,
  layout: RunLayout,
  outputMs: number,
): Promise<ReportStages> {
  const builderKey = layout.summary('builder');
  const builder = (await storage.exists(builderKey))
    ? await storage.getJson<BuilderSummary>(builderKey)
    : undefined;
  const keys = (await storage.list(layout.summariesPrefix)).filter(
    (key) => indexFromName(key, 'runner') !== undefined,
  );
  const runner = await mapLimit(keys, READ_BATCH, (key) => storage.getJson<RunnerSummary>(key));
  return {
    ...(builder ? { builder: { totalMs: builder.timingsMs.total, reused: builder.reused } } : {}),
    ...(runner.length > 0 ? { runner: runnerStats(runner) } : {}),
    output: { ms: outputMs },
  };
}
