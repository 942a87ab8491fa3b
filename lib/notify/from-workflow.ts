import { join } from 'node:path';
import type { WorkflowResult } from '../backend/types.js';
import { REPORT_FILE } from '../run/report-file.js';
import { failedState, type RunSummary } from './summary.js';

/**
 * The run-end summary of a finished local run: partial when some, not all, of its Stage B tasks
 * failed; links to the output folder and its report when Stage C wrote them.
 */
export function summaryOfLocalRun(
  result: WorkflowResult,
  options: { readonly referenceDate?: string | undefined } = {},
): RunSummary {
  const failed = result.failedTasks.length;
  return {
    backend: 'local',
    expId: result.expId,
    runId: result.runId,
    state: result.status === 'succeeded' ? 'succeeded' : failedState(failed, result.numTasks),
    ...(options.referenceDate === undefined ? {} : { referenceDate: options.referenceDate }),
    ...(result.numTasks > 0 ? { numTasks: result.numTasks } : {}),
    ...(failed > 0 ? { failedTasks: { count: failed, indexes: result.failedTasks } } : {}),
    durationMs: Math.round(result.totalMs),
    ...(result.failure === undefined ? {} : { failure: result.failure }),
    links:
      result.outputs === undefined
        ? {}
        : {
            outputs: { path: result.outputs },
            report: { path: join(result.outputs, REPORT_FILE) },
          },
  };
}
