import type { BatchContainerOverrides, StageResources } from './batch-job.js';
import type { StageName } from './layout.js';
import type { StageBKind } from './stage-b-plan.js';

/**
 * Names of the states of the cloud state machine. The CDK definition, the
 * rehearsal's task stand-ins (keyed by state name) and the CLI's progress
 * display all use these.
 */
export const PIPELINE_STATES = {
  prepare: 'PrepareRun',
  stageA: 'StageA',
  plan: 'PlanStageB',
  route: 'RouteStageB',
  noTasks: 'NoTasks',
  stageBSingle: 'StageBSingle',
  stageBArray: 'StageBArray',
  stageBSplit: 'StageBSplit',
  stageBPart: 'StageBPart',
  outputWanted: 'OutputWanted',
  stageC: 'StageC',
  done: 'Done',
} as const;

/** Error name of the `NoTasks` Fail state (Stage A wrote zero tasks). */
export const NO_TASKS_ERROR = 'Epycloud.NoTasks';

/** A Batch job ready to submit: what the state machine passes to `batch:submitJob.sync`. */
export interface SubmitSpec {
  readonly jobName: string;
  readonly containerOverrides: BatchContainerOverrides;
}

/**
 * The image a run overrides the job definitions' with, pinned when PrepareRun
 * ran: every job of the run (and a redrive of its execution) pulls exactly this
 * build, whatever is pushed under the tag later.
 */
export interface RunImage {
  /** As the execution input asked: `<repositoryUri>:<imageTag>`, or `imageUri`. */
  readonly requested: string;
  /** What the run's job definition revisions name: `<repository>@sha256:<digest>` (an `imageUri` by digest as given). */
  readonly uri: string;
  /** `sha256:<64 hex>`. */
  readonly digest: string;
}

/** A run as the state machine carries it: `$.run`, the `PrepareRun` lambda's result. */
export interface RunSpec {
  readonly expId: string;
  readonly runId: string;
  readonly dirPrefix: string;
  /** The run prefix in the bucket, `{dirPrefix}{expId}/runs/{runId}/`. */
  readonly prefix: string;
  readonly skipOutput: boolean;
  readonly maxParallelism: number | null;
  readonly outputConfigFile: string | null;
  readonly profile: string;
  readonly billingProject: string;
  readonly resources: Readonly<Record<StageName, StageResources>>;
  /** Job definition ARN per stage (a new revision when the input overrides the image). */
  readonly jobDefinitions: Readonly<Record<StageName, string>>;
  /** The image override, pinned by digest; null when the run keeps the job definitions' image. */
  readonly image: RunImage | null;
  /** Tags per stage, as Batch `Tags`. */
  readonly tags: Readonly<Record<StageName, Record<string, string>>>;
  readonly builder: SubmitSpec;
  /** `false` with `--no-cache`: Stage B tasks get `EPYCLOUD_CACHE=off`; absent, the cache is on. */
  readonly cache?: boolean;
}

/** Job ids recorded as the run goes: `$.results`. */
export interface RunResults {
  readonly builder: { readonly jobId: string } | null;
  readonly runner: { readonly jobIds: readonly string[] } | null;
  readonly output: { readonly jobId: string } | null;
}

/** The result of the `PrepareRun` lambda; it replaces the state (`ResultPath: $`). */
export interface PrepareRunResult {
  readonly run: RunSpec;
  readonly results: RunResults;
}

/** The event of the `PlanStageB` lambda. */
export interface PlanStageBEvent {
  readonly run: RunSpec;
}

/** One Stage B job of a plan, ready to submit. */
export interface StageBSubmitSpec extends SubmitSpec {
  readonly offset: number;
  readonly size: number;
  /** `[]`, or `[{ Type: 'SEQUENTIAL' }]` for a lane whose children run one after another. */
  readonly dependsOn: readonly { readonly Type: 'SEQUENTIAL' }[];
}

/** The result of the `PlanStageB` lambda, at `$.plan`. */
export interface PlanStageBResult {
  readonly kind: StageBKind;
  readonly numTasks: number;
  /** Why nothing runs (kind `none`), for the Fail state's cause; empty otherwise. */
  readonly message: string;
  /** Map `MaxConcurrency` for `split`. */
  readonly maxConcurrency: number;
  /** Stage B jobs: one for `single`/`array`, several for `split`, none for `none`. */
  readonly jobs: readonly StageBSubmitSpec[];
  /** Stage C, with `NUM_TASKS` = numTasks. */
  readonly output: SubmitSpec;
}

/** The output of a successful execution (the `Done` state). */
export interface PipelineOutput {
  readonly expId: string;
  readonly runId: string;
  readonly numTasks: number;
  readonly prefix: string;
  /** `$.run.image`: the pinned image override, or null. */
  readonly image: RunImage | null;
  readonly jobs: RunResults;
}
