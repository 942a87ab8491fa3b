import type { WorkflowResult } from '../backend/types.js';
import { ENV } from '../contract/env.js';
import { STAGES } from '../contract/layout.js';
import type { JobRecord } from './batch-stand-in.js';
import type { RehearsalResult } from './rehearse.js';

/** The run index of a Stage B job's child 0: its offset when split, its task index when single. */
const taskOffset = (job: JobRecord): number =>
  Number(job.environment[ENV.taskIndexOffset] ?? job.environment[ENV.taskIndex] ?? 0);

/** Stage B task indexes whose last attempt failed (array children shifted by their job's offset). */
export function failedTaskIndexes(jobs: readonly JobRecord[]): number[] {
  const failed = new Set<number>();
  for (const job of jobs.filter((j) => j.stage === 'runner')) {
    const offset = taskOffset(job);
    const last = new Map<number, number>();
    for (const a of job.attempts) last.set(offset + (a.index ?? 0), a.exitCode);
    for (const [index, exitCode] of last) if (exitCode !== 0) failed.add(index);
  }
  return [...failed].sort((a, b) => a - b);
}

/** Stage B task indexes that needed more than one attempt. */
function retriedTaskIndexes(jobs: readonly JobRecord[]): number[] {
  const retried = new Set<number>();
  for (const job of jobs.filter((j) => j.stage === 'runner')) {
    const offset = taskOffset(job);
    for (const a of job.attempts) if (a.attempt > 1) retried.add(offset + (a.index ?? 0));
  }
  return [...retried].sort((a, b) => a - b);
}

/** Wall time of each stage that settled: from its first job's submission to its last job's end. */
export function stageDurations(jobs: readonly JobRecord[]): WorkflowResult['durationsMs'] {
  const durations: WorkflowResult['durationsMs'] = {};
  for (const stage of STAGES) {
    const mine = jobs.filter((j) => j.stage === stage);
    const ends = mine.map((j) => j.settledAt);
    if (mine.length === 0 || ends.some((e) => e === undefined)) continue;
    durations[stage] =
      Math.max(...(ends as number[])) - Math.min(...mine.map((j) => j.submittedAt));
  }
  return durations;
}

/** The stderr tail of the last failed attempt, for failure messages. */
function lastFailureLog(jobs: readonly JobRecord[]): string | undefined {
  const failed = jobs.flatMap((j) =>
    j.attempts.filter((a) => a.exitCode !== 0).map((a) => ({ stage: j.stage, a })),
  );
  const last = failed.at(-1);
  if (last?.a.logTail === undefined) return undefined;
  return `last failed attempt (${last.stage}${last.a.index === undefined ? '' : ` child ${last.a.index}`}, attempt ${last.a.attempt}, exit ${last.a.exitCode}):\n${last.a.logTail.trim().slice(-1500)}`;
}

function failureText(result: RehearsalResult): string {
  const log = lastFailureLog(result.jobs);
  return `Rehearsal failed in state ${result.statesEntered.at(-1) ?? '?'}: ${result.error}: ${result.cause ?? ''}${log ? `\n${log}` : ''}`;
}

/** A rehearsal as the one workflow summary the CLI prints (`--json` included). */
export function rehearsalWorkflowResult(result: RehearsalResult): WorkflowResult {
  return {
    status: result.status === 'succeeded' ? 'succeeded' : 'failed',
    backend: 'cloud',
    runtime: 'rehearsal',
    expId: result.expId,
    runId: result.runId,
    numTasks: result.numTasks ?? 0,
    ...(result.image === undefined ? {} : { image: result.image }),
    durationsMs: stageDurations(result.jobs),
    totalMs: result.durationMs,
    failedTasks: failedTaskIndexes(result.jobs),
    retriedTasks: retriedTaskIndexes(result.jobs),
    stateTransitions: result.stateTransitions,
    ...(result.error ? { failure: failureText(result) } : {}),
  };
}
