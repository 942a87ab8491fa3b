import type { LogEntry, StatusReport, WorkflowResult } from '../lib/backend/types.js';
import type { ExperimentListing, RunListing } from '../lib/run/run-listing.js';
import type { ExecutionInfo } from '../lib/cloud/executions.js';
import { describePlan } from '../lib/experiment/plan.js';
import { formatDuration } from './progress.js';

/** A run's summary for people: status, tasks, stage times, outputs, logs. */
export function renderResult(result: WorkflowResult): string {
  const stages = Object.entries(result.durationsMs)
    .map(([stage, ms]) => `${stage} ${formatDuration(ms)}`)
    .join(', ');
  const lines = [
    `Run ${result.runId} of ${result.expId}: ${result.status} in ${formatDuration(result.totalMs)} (${result.backend}, ${result.runtime})`,
  ];
  lines.push(`  tasks: ${result.numTasks}`);
  if (result.cachedTasks !== undefined && result.cachedTasks > 0)
    lines.push(
      `  cache: ${result.cachedTasks} of ${result.numTasks} result(s) reused from earlier runs`,
    );
  if (result.runner !== undefined && result.runner.tasksRun > 0) {
    const r = result.runner;
    lines.push(
      `  runner: ${r.tasksRun} task(s) on ${r.parallelism} slot(s), efficiency ${(r.efficiency * 100).toFixed(0)}%`,
    );
  }
  if (stages !== '') lines.push(`  stages: ${stages}`);
  if (result.retriedTasks.length > 0)
    lines.push(`  retried tasks: ${result.retriedTasks.join(', ')}`);
  if (result.failedTasks.length > 0) lines.push(`  failed tasks: ${result.failedTasks.join(', ')}`);
  if (result.outputs !== undefined) lines.push(`  outputs: ${result.outputs}`);
  if (result.logs !== undefined) lines.push(`  logs: ${result.logs}`);
  if (result.stateTransitions !== undefined)
    lines.push(`  state transitions: ${result.stateTransitions}`);
  return `${lines.join('\n')}\n`;
}

/** A plan (`--dry-run`), with what it would cost when validation planned it. */
export function renderPlan(result: WorkflowResult, parallelism: number): string {
  const cost = result.plan === undefined ? '' : `  cost: ${describePlan(result.plan)}\n`;
  const tasks =
    result.image === undefined
      ? `${result.numTasks} task(s)`
      : `stages in image ${result.image}, tasks as its Stage A decides`;
  return (
    `Plan: run ${result.runId} of ${result.expId}: ${tasks}, ${parallelism} at a time, ` +
    `runtime ${result.runtime}; nothing was written (dry run)\n${cost}`
  );
}

/** `  [succeeded, by ana@lab, git 0123abcd (dirty), 24 cached]` from a run's record; nothing without one. */
function recordGlance(record: RunListing['record']): string {
  if (record === undefined) return '';
  const git = record.git
    ? `, git ${record.git.commit.slice(0, 8)}${record.git.dirty ? ' (dirty)' : ''}`
    : '';
  const cached = record.cacheHits ? `, ${record.cacheHits} cached` : '';
  return `  [${record.state}, by ${record.startedBy}${git}${cached}]`;
}

/** Experiments and their runs, newest first. */
export function renderExperiments(list: readonly ExperimentListing[]): string {
  if (list.length === 0) return 'No experiments.\n';
  return list
    .map((e) => {
      const head = `${e.expId}${e.hasConfig ? '' : ' (config folder missing)'}: ${e.runs.length} run(s)`;
      const runs = e.runs.map(
        (r) =>
          `  ${r.runId}  ${r.state}  tasks ${r.numTasks ?? '?'}  results ${r.results}  outputs ${r.outputs}${recordGlance(r.record)}`,
      );
      return [head, ...runs].join('\n');
    })
    .join('\n')
    .concat('\n');
}

/** Log texts, each under a header naming stage, task and file. */
export function renderLogs(entries: readonly LogEntry[]): string {
  return entries
    .map(
      (e) =>
        `==> ${e.stage}${e.taskIndex === undefined ? '' : ` task ${e.taskIndex}`} (${e.location}) <==\n${e.text.endsWith('\n') ? e.text : `${e.text}\n`}`,
    )
    .join('\n');
}

/** Status facts as aligned `label: value` lines. */
export function renderStatus(report: StatusReport): string {
  const width = Math.max(...report.facts.map((f) => f.label.length));
  return `${report.backend} back end\n${report.facts.map((f) => `  ${f.label.padEnd(width)}  ${f.value}`).join('\n')}\n`;
}

/** One execution per line: name, status, start, stop. */
export function renderExecutions(list: readonly ExecutionInfo[]): string {
  if (list.length === 0) return 'No executions.\n';
  return list
    .map(
      (e) =>
        `${e.name}  ${e.status}  ${e.startDate ?? '-'}  ${e.stopDate ?? '-'}${e.redriveCount ? `  redriven ${e.redriveCount}x` : ''}\n`,
    )
    .join('');
}
