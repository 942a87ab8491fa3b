import { z } from 'zod';
import type { RunLayout } from '../lib/contract/layout.js';
import { indexFromName } from '../lib/contract/layout.js';
import type { ReportStages } from '../lib/report/report-data.js';
import type { Storage } from '../lib/storage/index.js';
import { mapLimit } from './artifacts.js';

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

/**
 * What the report reads of a task's summary (`RunnerSummary`), leniently:
 * summaries of older runs lack times and attempts, and a summary that does
 * not parse is left out rather than failing the output.
 */
const taskRecordSchema = z.object({
  taskIndex: z.number().int().nonnegative(),
  skipped: z.boolean().default(false),
  timingsMs: z.object({ total: z.number().nonnegative() }).default({ total: 0 }),
  startedAt: z.iso.datetime().optional(),
  finishedAt: z.iso.datetime().optional(),
  attempt: z.number().int().positive().default(1),
});

/** What the report reads of Stage A's summary (`BuilderSummary`). */
const builderRecordSchema = z.object({
  reused: z.boolean().default(false),
  timingsMs: z.object({ total: z.number().nonnegative() }),
});

/** A task's summary as the report reads it. */
export type TaskRecord = z.infer<typeof taskRecordSchema>;

/** Stage B's figures from its task summaries: busy time, wall time, peak concurrency, efficiency, retries. */
export function runnerStats(records: readonly TaskRecord[]): NonNullable<ReportStages['runner']> {
  let busyMs = 0;
  let slowest: TaskRecord | undefined;
  const intervals: (readonly [number, number])[] = [];
  for (const r of records) {
    busyMs += r.timingsMs.total;
    if (slowest === undefined || r.timingsMs.total > slowest.timingsMs.total) slowest = r;
    if (r.startedAt !== undefined && r.finishedAt !== undefined)
      intervals.push([Date.parse(r.startedAt), Date.parse(r.finishedAt)]);
  }
  const stats = {
    tasks: records.length,
    skipped: records.filter((r) => r.skipped).length,
    busyMs,
    retried: records
      .filter((r) => r.attempt > 1)
      .map((r) => ({ index: r.taskIndex, attempts: r.attempt })),
    ...(slowest ? { slowest: { index: slowest.taskIndex, ms: slowest.timingsMs.total } } : {}),
  };
  if (intervals.length === 0) return stats;
  const first = intervals.reduce((min, [start]) => Math.min(min, start), Infinity);
  const last = intervals.reduce((max, [, end]) => Math.max(max, end), -Infinity);
  const wallMs = last - first;
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
    ? builderRecordSchema.safeParse(await storage.getJson(builderKey)).data
    : undefined;
  const keys = (await storage.list(layout.summariesPrefix)).filter(
    (key) => indexFromName(key, 'runner') !== undefined,
  );
  const parsed = await mapLimit(keys, READ_BATCH, async (key) =>
    taskRecordSchema.safeParse(await storage.getJson(key)),
  );
  const runner = parsed.flatMap((p) => (p.success ? [p.data] : []));
  return {
    ...(builder ? { builder: { totalMs: builder.timingsMs.total, reused: builder.reused } } : {}),
    ...(runner.length > 0 ? { runner: runnerStats(runner) } : {}),
    output: { ms: outputMs },
  };
}
