/** How a run ended: every task and stage done; nothing usable; or some tasks' results kept. */
export const RUN_END_STATES = ['succeeded', 'failed', 'partial'] as const;
/** How a run ended. */
export type RunEndState = (typeof RUN_END_STATES)[number];

/** A place a run wrote to: a local path or an `s3://` URI, and in the cloud its S3 console page. */
export interface RunLocation {
  readonly path: string;
  readonly console?: string;
}

/** Where to look at a run. */
export interface RunLinks {
  /** The folder holding the run's outputs. */
  readonly outputs?: RunLocation;
  /** The run's `report.html`, when its location is known. */
  readonly report?: RunLocation;
  /** The Step Functions execution (cloud runs). */
  readonly executionArn?: string;
}

/** Failed Stage B tasks: how many, and which when known. */
export interface FailedTasks {
  readonly count: number;
  readonly indexes?: readonly number[];
}

/** What a run-end notification says about one run, whatever ran it. */
export interface RunSummary {
  readonly backend: 'local' | 'cloud';
  readonly expId: string;
  readonly runId: string;
  readonly state: RunEndState;
  /** Stage A's reference date (`YYYY-MM-DD`), when the run set one. */
  readonly referenceDate?: string;
  /** Stage B tasks of the run, when known (a run that failed before planning has none). */
  readonly numTasks?: number;
  readonly failedTasks?: FailedTasks;
  readonly durationMs?: number;
  /** Why the run failed, as its back end reported it. */
  readonly failure?: string;
  readonly links: RunLinks;
}

/** The state of a run that did not succeed: partial when some, not all, of its tasks failed. */
export function failedState(failed: number, numTasks: number | undefined): RunEndState {
  return failed > 0 && numTasks !== undefined && failed < numTasks ? 'partial' : 'failed';
}
