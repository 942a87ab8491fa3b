import { ValidationError } from '../errors.js';
import { ENV, stageEnvironment } from './env.js';
import type { StageName } from './layout.js';

/** Batch reserves every environment variable name starting with this prefix; overrides may not set them. */
export const RESERVED_ENV_PREFIX = 'AWS_BATCH';

/** vCPUs and memory of one stage's container. */
export interface StageResources {
  readonly vcpus: number;
  readonly memoryMiB: number;
}

/** One `Name`/`Value` pair of a Batch container override. */
export interface BatchEnvironmentEntry {
  readonly Name: string;
  readonly Value: string;
}

/** Batch `ContainerOverrides`, as Step Functions' Batch integration takes them (PascalCase). */
export interface BatchContainerOverrides {
  readonly Environment: readonly BatchEnvironmentEntry[];
  readonly ResourceRequirements: readonly {
    readonly Type: 'VCPU' | 'MEMORY';
    readonly Value: string;
  }[];
}

/** What a stage job of one run needs to know. */
export interface StageJobInput {
  readonly stage: StageName;
  readonly expId: string;
  readonly runId: string;
  readonly dirPrefix: string;
  readonly bucket: string;
  /** The job's vCPUs and memory; one left out keeps the job definition's value (a CLI `run job` without sizes). */
  readonly resources: Partial<StageResources>;
  /** Stage C: the number of tasks (also set on a whole-run Stage B array job the CLI submits). */
  readonly numTasks?: number;
  /** Stages A and C: the output config file. */
  readonly outputConfigFile?: string;
  /** Stage A: the reference date override (`REFERENCE_DATE`). */
  readonly referenceDate?: string;
  /** A plain (non-array) Stage B job: its task index. */
  readonly taskIndex?: number;
  /** An array Stage B job covering indexes from this offset. */
  readonly taskIndexOffset?: number;
  /** Stage B of a retry: the task map's key (`TASK_MAP`). */
  readonly taskMap?: string;
  /** Stages A and B: false turns the task cache off (`EPYCLOUD_CACHE=off`). */
  readonly cache?: boolean;
}

/** Throws when an environment sets a name Batch reserves (`AWS_BATCH*`). */
export function assertNoReservedNames(names: Iterable<string>): void {
  for (const name of names) {
    if (name.startsWith(RESERVED_ENV_PREFIX)) {
      throw new ValidationError(
        `Environment variable ${name} is reserved by AWS Batch: container overrides may not set ${RESERVED_ENV_PREFIX}* names`,
      );
    }
  }
}

/**
 * The container overrides of one stage job: the stage contract's environment
 * ({@link stageEnvironment}, sorted by name, `TASK_INDEX_OFFSET` for split
 * arrays) and the job's vCPUs and memory.
 */
export function stageContainerOverrides(input: StageJobInput): BatchContainerOverrides {
  const env = stageEnvironment({
    mode: 'cloud',
    expId: input.expId,
    runId: input.runId,
    dirPrefix: input.dirPrefix,
    bucket: input.bucket,
    ...(input.numTasks === undefined ? {} : { numTasks: input.numTasks }),
    ...(input.outputConfigFile === undefined ? {} : { outputConfigFile: input.outputConfigFile }),
    ...(input.referenceDate === undefined ? {} : { referenceDate: input.referenceDate }),
    ...(input.taskIndex === undefined ? {} : { taskIndex: input.taskIndex }),
    ...(input.cache === false ? { cache: false } : {}),
  });
  if (input.taskIndexOffset !== undefined) env[ENV.taskIndexOffset] = String(input.taskIndexOffset);
  if (input.taskMap !== undefined) env[ENV.taskMap] = input.taskMap;
  assertNoReservedNames(Object.keys(env));
  const { vcpus, memoryMiB } = input.resources;
  return {
    Environment: Object.keys(env)
      .sort()
      .map((Name) => ({ Name, Value: env[Name] ?? '' })),
    ResourceRequirements: [
      ...(vcpus === undefined ? [] : [{ Type: 'VCPU' as const, Value: String(vcpus) }]),
      ...(memoryMiB === undefined ? [] : [{ Type: 'MEMORY' as const, Value: String(memoryMiB) }]),
    ],
  };
}

/** Replaces every character outside `[A-Za-z0-9_-]` with `-`: the alphabet Batch job and Step Functions execution names share. */
export function sanitizeName(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-');
}

/** Longest Batch job name. */
export const BATCH_JOB_NAME_MAX = 128;

/** What ends a job name after the run id: a split Stage B array's part number, or a single Stage B task's index. */
export type JobNameSuffix = number | { readonly taskIndex: number };

/**
 * The Batch job name of a stage job: `epycloud-<stage>-<expId>-<runId>[-part<n>|-task<i>]`
 * with every character outside `[A-Za-z0-9_-]` replaced by `-`; when too long,
 * the experiment part is shortened so the run id and suffix stay whole.
 */
export function stageJobName(
  stage: StageName,
  expId: string,
  runId: string,
  part?: JobNameSuffix,
): string {
  const suffix =
    part === undefined ? '' : typeof part === 'number' ? `-part${part}` : `-task${part.taskIndex}`;
  const tail = `-${sanitizeName(runId)}${suffix}`;
  const head = `epycloud-${stage}-`;
  const room = BATCH_JOB_NAME_MAX - head.length - tail.length;
  if (room < 1)
    throw new ValidationError(
      `Run id "${runId}" is too long for a Batch job name (max ${BATCH_JOB_NAME_MAX} characters in all)`,
    );
  return `${head}${sanitizeName(expId).slice(0, room)}${tail}`;
}

/** Tag keys every Batch job of a run carries (propagated to its ECS tasks). */
export const JOB_TAG_KEYS = {
  expId: 'epycloud:exp_id',
  runId: 'epycloud:run_id',
  stage: 'epycloud:stage',
  profile: 'epycloud:profile',
  billingProject: 'epycloud:billing_project',
} as const;

/** What a job's tags say; the CLI's `run job` knows neither profile nor billing project, and leaves those tags out. */
export interface JobTagInput {
  readonly stage: StageName;
  readonly expId: string;
  readonly runId: string;
  readonly profile?: string | undefined;
  readonly billingProject?: string | undefined;
}

const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** The tags of one stage job (profile and billing project when given); a value outside Batch's tag alphabet is an error naming it. */
export function stageJobTags(input: JobTagInput): Record<string, string> {
  const tags: Record<string, string> = {
    [JOB_TAG_KEYS.expId]: input.expId,
    [JOB_TAG_KEYS.runId]: input.runId,
    [JOB_TAG_KEYS.stage]: input.stage,
    ...(input.profile === undefined ? {} : { [JOB_TAG_KEYS.profile]: input.profile }),
    ...(input.billingProject === undefined
      ? {}
      : { [JOB_TAG_KEYS.billingProject]: input.billingProject }),
  };
  for (const [key, value] of Object.entries(tags)) {
    if (!TAG_VALUE.test(value)) {
      throw new ValidationError(
        `Tag ${key}="${value}" is invalid: tag values use letters, digits, spaces and _ . : / = + - @ (max 256)`,
      );
    }
  }
  return tags;
}
