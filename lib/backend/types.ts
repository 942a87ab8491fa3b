import type { CalibrationProgress } from '../contract/calibration-progress.js';
import type { StageName } from '../contract/layout.js';
import type { ExperimentPlan } from '../experiment/plan.js';
import type { ExperimentListing } from '../run/run-listing.js';

/** Where a back end runs the pipeline. */
export type BackendName = 'local' | 'cloud';

/** Options of `run workflow`; each back end documents which it honours. */
export interface WorkflowOptions {
  readonly expId: string;
  /** Run id to use; default a new one (`newRunId`). */
  readonly runId?: string;
  /** Finish an earlier run: rerun only what is missing, keep its id. */
  readonly resume?: string;
  /** Stop after Stage B. */
  readonly skipOutput?: boolean;
  /** Stage B tasks at once (local). */
  readonly parallelism: number;
  /** Extra attempts of a failed task. */
  readonly retries: number;
  /** Output config file (`OUTPUT_CONFIG_FILE`) when the experiment has several. */
  readonly outputConfigFile?: string;
  /** Stage A's `REFERENCE_DATE`: a Saturday overriding the experiment's calibration reference date. */
  readonly referenceDate?: string;
  /** Validate and show the plan; write and start nothing. */
  readonly dryRun?: boolean;
  /** Confirmed: may replace an existing run with the same id. */
  readonly yes?: boolean;
  /** Neither reuse earlier runs' results of identical tasks nor record this run's (`--no-cache`). */
  readonly noCache?: boolean;
}

/** Options of `run job`: one stage, or one Stage B task. */
export interface JobOptions {
  readonly expId: string;
  readonly runId: string;
  readonly stage: StageName;
  /** Stage B: the task to run; all tasks of the manifest when absent. */
  readonly taskIndex?: number;
  /** Stage C: `NUM_TASKS`; Stage B without a manifest is an error. */
  readonly numTasks?: number;
  readonly outputConfigFile?: string;
  /** Stage A: `REFERENCE_DATE`, a Saturday overriding the experiment's calibration reference date. */
  readonly referenceDate?: string;
  readonly parallelism: number;
  readonly retries: number;
}

/** Stage B figures of a run. */
export interface RunnerStats {
  /** Tasks started (fewer than numTasks on resume). */
  readonly tasksRun: number;
  /** Sum of every attempt's wall time. */
  readonly busyMs: number;
  readonly wallMs: number;
  readonly parallelism: number;
  /** busy / (parallelism x wall). */
  readonly efficiency: number;
}

/** The one summary of a workflow (or job) run; `--json` prints it. */
export interface WorkflowResult {
  /** `started`: a cloud run that was started and not waited for. */
  readonly status: 'succeeded' | 'failed' | 'planned' | 'started';
  readonly backend: BackendName;
  readonly runtime: string;
  readonly expId: string;
  readonly runId: string;
  /** Tasks of the run: 0 in the plan of an experiment run by its own image (its Stage A decides N). */
  readonly numTasks: number;
  /** The experiment's own stage image (a `stages:` config), when it names one. */
  readonly image?: string;
  /** Where Stage C wrote (a folder or a URL); absent when it did not run. */
  readonly outputs?: string;
  /** Wall time per stage that ran; skipped stages are absent. */
  readonly durationsMs: Partial<Record<StageName, number>>;
  readonly totalMs: number;
  readonly failedTasks: readonly number[];
  readonly retriedTasks: readonly number[];
  readonly runner?: RunnerStats;
  /** Tasks whose result Stage A took from an earlier run (the cross-run task cache); absent when the cache was off or unknown. */
  readonly cachedTasks?: number;
  /** Why the run failed, naming stage, indexes and logs. */
  readonly failure?: string;
  /** Where the logs of the run are kept. */
  readonly logs?: string;
  /** Cloud rehearsal: Step Functions state transitions the run used. */
  readonly stateTransitions?: number;
  /** What the run costs (tasks, steps, result bytes), as validation planned it; set by a new run and `--dry-run`. */
  readonly plan?: ExperimentPlan;
}

/** Something to tell the user while a run goes on. */
export type ProgressEvent =
  | { readonly type: 'note'; readonly message: string }
  | { readonly type: 'stage-start'; readonly stage: StageName; readonly numTasks?: number }
  | {
      readonly type: 'stage-end';
      readonly stage: StageName;
      readonly ok: boolean;
      readonly durationMs: number;
    }
  | {
      readonly type: 'task';
      readonly phase: 'start' | 'retry' | 'succeeded' | 'failed';
      readonly index: number;
      /** 1-based attempt that starts (start, retry) or ended (succeeded, failed). */
      readonly attempt: number;
      /** Tasks of this stage run. */
      readonly total: number;
      readonly exitCode?: number;
      readonly durationMs?: number;
    }
  /** A running forecast task finished a calibration generation. */
  | {
      readonly type: 'calibration';
      readonly index: number;
      readonly progress: CalibrationProgress;
    };

/** Receives progress; renderers live in lib/local/progress.ts. */
export type ProgressSink = (event: ProgressEvent) => void;

/** Which logs to show. */
export interface LogQuery {
  readonly expId: string;
  /** Default: the newest run. */
  readonly runId?: string;
  readonly stage?: StageName;
  readonly taskIndex?: number;
}

/** One log of a stage or task. */
export interface LogEntry {
  readonly stage: StageName;
  readonly taskIndex?: number;
  readonly location: string;
  readonly text: string;
}

/** Which runs `status` shows (the cloud honours it). */
export interface StatusQuery {
  readonly expId?: string | undefined;
}

/** Free-form facts about a back end, as label/value lines. */
export interface StatusReport {
  readonly backend: BackendName;
  readonly ok: boolean;
  readonly facts: readonly { readonly label: string; readonly value: string }[];
}

/**
 * The one interface commands call; the local back end runs stages on this
 * machine, the cloud back end on AWS. Failures of the pipeline itself come
 * back as results with `status: 'failed'`; misuse and missing tools throw
 * EpycloudErrors.
 */
export interface Backend {
  /** Which back end this is (the rehearsal reports its runs as cloud runs, runtime `rehearsal`). */
  readonly name: BackendName | 'rehearsal';
  runWorkflow(options: WorkflowOptions, progress: ProgressSink): Promise<WorkflowResult>;
  runJob(options: JobOptions, progress: ProgressSink): Promise<WorkflowResult>;
  listExperiments(): Promise<ExperimentListing[]>;
  logs(query: LogQuery): Promise<LogEntry[]>;
  status(query?: StatusQuery): Promise<StatusReport>;
}
