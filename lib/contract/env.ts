import { ValidationError } from '../errors.js';
import { validateExpId, validateRunId } from './ids.js';
import { RunLayout } from './layout.js';
import { referenceDateProblem } from './reference-date.js';

/**
 * Names of the environment variables that form the stage contract. The CLI,
 * Compose file, CDK job definitions and stage mains all use these constants.
 */
export const ENV = {
  executionMode: 'EXECUTION_MODE',
  expId: 'EXP_ID',
  runId: 'RUN_ID',
  dirPrefix: 'DIR_PREFIX',
  bucket: 'S3_BUCKET',
  localBucketDir: 'LOCAL_BUCKET_DIR',
  numTasks: 'NUM_TASKS',
  outputConfigFile: 'OUTPUT_CONFIG_FILE',
  referenceDate: 'REFERENCE_DATE',
  taskIndex: 'TASK_INDEX',
  batchTaskIndex: 'BATCH_TASK_INDEX',
  arrayIndex: 'AWS_BATCH_JOB_ARRAY_INDEX',
  taskIndexOffset: 'TASK_INDEX_OFFSET',
  /** Stage B of a retry: key (in the run's storage) of the task map; the resolved index is a position in it. */
  taskMap: 'TASK_MAP',
  allowPartial: 'ALLOW_PARTIAL_RESULTS',
  faultTasks: 'EPYCLOUD_FAULT_TASKS',
  faultAttempts: 'EPYCLOUD_FAULT_ATTEMPTS',
  lifeline: 'EPYCLOUD_LIFELINE',
  /** The attempt (1-based) of a Stage B task, set by the local launcher; Batch sets `AWS_BATCH_JOB_ATTEMPT`. */
  attempt: 'EPYCLOUD_ATTEMPT',
  batchAttempt: 'AWS_BATCH_JOB_ATTEMPT',
  /** `off` turns the cross-run task cache off for this run (`--no-cache`); anything else leaves it on. */
  cache: 'EPYCLOUD_CACHE',
} as const;

/** `EPYCLOUD_LIFELINE` value of a stage that must exit when its stdin closes (its launcher is gone). */
export const STDIN_LIFELINE = 'stdin';

/** Index variables in the order they win. */
export const TASK_INDEX_VARS = [ENV.taskIndex, ENV.batchTaskIndex, ENV.arrayIndex] as const;

/** Execution modes; each picks a storage backend. */
const EXECUTION_MODES = ['local', 'cloud'] as const;
/** An execution mode. */
export type ExecutionMode = (typeof EXECUTION_MODES)[number];

/** Default local bucket directory, relative to the working directory. */
export const DEFAULT_LOCAL_BUCKET_DIR = './local/bucket';

/** A process environment, or any map of the same shape. */
export type EnvMap = Readonly<Record<string, string | undefined>>;

/** Where a stage reads and writes: the storage backend and its root. */
export type StorageTarget =
  | { readonly mode: 'local'; readonly root: string }
  | { readonly mode: 'cloud'; readonly bucket: string };

/** What every stage knows after parsing its environment. */
export interface StageEnv {
  readonly storage: StorageTarget;
  readonly layout: RunLayout;
  readonly outputConfigFile: string | undefined;
  /** `REFERENCE_DATE`: a Saturday overriding the experiment's calibration reference date. */
  readonly referenceDate: string | undefined;
}

function required(env: EnvMap, name: string, expected: string): string {
  const value = env[name];
  if (value === undefined || value === '')
    throw new ValidationError(`Environment variable ${name} is not set: expected ${expected}`);
  return value;
}

function nonNegativeInt(name: string, value: string): number {
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
    throw new ValidationError(
      `Environment variable ${name}="${value}" is not a non-negative integer`,
    );
  }
  return Number(value);
}

/** `REFERENCE_DATE` when set; a set value must be a real `YYYY-MM-DD` date that is a Saturday. */
export function parseReferenceDate(env: EnvMap): string | undefined {
  const value = env[ENV.referenceDate];
  if (value === undefined || value === '') return undefined;
  const problem = referenceDateProblem(value);
  if (problem !== undefined)
    throw new ValidationError(
      `Environment variable ${ENV.referenceDate}="${value}" is invalid: ${problem}`,
    );
  return value;
}

/** Parses the storage target: `EXECUTION_MODE` picks S3 (`S3_BUCKET`) or a local directory. */
export function parseStorageTarget(env: EnvMap): StorageTarget {
  const mode = required(env, ENV.executionMode, `one of ${EXECUTION_MODES.join(', ')}`);
  if (mode === 'cloud')
    return { mode, bucket: required(env, ENV.bucket, 'the S3 bucket name in cloud mode') };
  if (mode === 'local') return { mode, root: env[ENV.localBucketDir] || DEFAULT_LOCAL_BUCKET_DIR };
  throw new ValidationError(
    `Environment variable ${ENV.executionMode}="${mode}" is invalid: expected one of ${EXECUTION_MODES.join(', ')}`,
  );
}

/** Parses what every stage needs: storage target, run layout, and the optional experiment overrides. */
export function parseStageEnv(env: EnvMap): StageEnv {
  const expId = validateExpId(required(env, ENV.expId, 'the experiment id'));
  const runId = validateRunId(required(env, ENV.runId, 'the run id'));
  return {
    storage: parseStorageTarget(env),
    layout: new RunLayout(expId, runId, env[ENV.dirPrefix] ?? ''),
    outputConfigFile: env[ENV.outputConfigFile] || undefined,
    referenceDate: parseReferenceDate(env),
  };
}

/**
 * The task index of a Stage B task: the first of `TASK_INDEX`,
 * `BATCH_TASK_INDEX`, `AWS_BATCH_JOB_ARRAY_INDEX` that is set, plus
 * `TASK_INDEX_OFFSET` (for runs split over several array jobs). Never a silent
 * task 0: a missing or non-integer index throws, and so does an index at or
 * past `numTasks`.
 */
export function resolveTaskIndex(env: EnvMap, numTasks: number): number {
  const name = TASK_INDEX_VARS.find((n) => env[n] !== undefined && env[n] !== '');
  if (name === undefined) {
    throw new ValidationError(
      `No task index: set one of ${TASK_INDEX_VARS.join(', ')} (checked in that order)`,
    );
  }
  const offsetValue = env[ENV.taskIndexOffset];
  const offset =
    offsetValue === undefined || offsetValue === ''
      ? 0
      : nonNegativeInt(ENV.taskIndexOffset, offsetValue);
  const index = offset + nonNegativeInt(name, env[name] ?? '');
  if (index >= numTasks) {
    throw new ValidationError(
      `Task index ${index} (${name}=${env[name]}${offset ? ` + ${ENV.taskIndexOffset}=${offset}` : ''}) is out of range: the run has ${numTasks} task(s), indexes 0..${numTasks - 1}`,
    );
  }
  return index;
}

/** `NUM_TASKS` for Stage C, when set; a set value must be a non-negative integer. */
export function parseNumTasks(env: EnvMap): number | undefined {
  const value = env[ENV.numTasks];
  return value === undefined || value === '' ? undefined : nonNegativeInt(ENV.numTasks, value);
}

/** `ALLOW_PARTIAL_RESULTS`: `true`/`1` lets Stage C aggregate with missing results. */
export function parseAllowPartial(env: EnvMap): boolean {
  const value = (env[ENV.allowPartial] ?? '').toLowerCase();
  return value === 'true' || value === '1';
}

/** `EPYCLOUD_CACHE`: the cross-run task cache is on unless the value is `off`, `false` or `0`. */
export function parseCacheEnabled(env: EnvMap): boolean {
  return !['off', 'false', '0'].includes((env[ENV.cache] ?? '').toLowerCase());
}

/** Inputs to {@link stageEnvironment}: the variables a launcher sets for a stage. */
export interface StageEnvInput {
  readonly mode: ExecutionMode;
  readonly expId: string;
  readonly runId: string;
  readonly dirPrefix?: string;
  readonly bucket?: string;
  readonly localBucketDir?: string;
  readonly numTasks?: number;
  readonly outputConfigFile?: string;
  readonly referenceDate?: string;
  readonly taskIndex?: number;
  /** The attempt of a Stage B task (local launches; Batch sets its own). */
  readonly attempt?: number;
  readonly allowPartial?: boolean;
  /** False: the run neither reuses nor records cached task results (`EPYCLOUD_CACHE=off`). */
  readonly cache?: boolean;
}

/** The environment a launcher (CLI, Compose, Batch override) sets for a stage: the inverse of the parsers. */
export function stageEnvironment(input: StageEnvInput): Record<string, string> {
  const env: Record<string, string> = {
    [ENV.executionMode]: input.mode,
    [ENV.expId]: validateExpId(input.expId),
    [ENV.runId]: validateRunId(input.runId),
    [ENV.dirPrefix]: input.dirPrefix ?? '',
  };
  if (input.bucket !== undefined) env[ENV.bucket] = input.bucket;
  if (input.localBucketDir !== undefined) env[ENV.localBucketDir] = input.localBucketDir;
  if (input.numTasks !== undefined) env[ENV.numTasks] = String(input.numTasks);
  if (input.outputConfigFile !== undefined) env[ENV.outputConfigFile] = input.outputConfigFile;
  if (input.referenceDate !== undefined) env[ENV.referenceDate] = input.referenceDate;
  if (input.taskIndex !== undefined) env[ENV.taskIndex] = String(input.taskIndex);
  if (input.attempt !== undefined) env[ENV.attempt] = String(input.attempt);
  if (input.allowPartial) env[ENV.allowPartial] = 'true';
  if (input.cache === false) env[ENV.cache] = 'off';
  return env;
}

/** The attempt of this job: `EPYCLOUD_ATTEMPT`, else `AWS_BATCH_JOB_ATTEMPT`, else 1. */
export function parseAttempt(env: EnvMap): number {
  for (const name of [ENV.attempt, ENV.batchAttempt]) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    const attempt = nonNegativeInt(name, value);
    if (attempt < 1)
      throw new ValidationError(
        `Environment variable ${name}="${value}" is invalid: attempts count from 1`,
      );
    return attempt;
  }
  return 1;
}

/**
 * Fault injection for resilience tests (never set in production): Stage B
 * tasks whose index is in `EPYCLOUD_FAULT_TASKS` (comma-separated) fail their
 * first `EPYCLOUD_FAULT_ATTEMPTS` attempts (every attempt when unset). The
 * runner counts attempts with a marker under the run's `logs/` folder.
 */
export interface FaultInjection {
  readonly tasks: ReadonlySet<number>;
  readonly attempts: number;
}

/** Parses the fault-injection variables; undefined when no task is named. */
export function parseFaultInjection(env: EnvMap): FaultInjection | undefined {
  const list = env[ENV.faultTasks];
  if (list === undefined || list.trim() === '') return undefined;
  const tasks = new Set(list.split(',').map((v) => nonNegativeInt(ENV.faultTasks, v.trim())));
  const attemptsValue = env[ENV.faultAttempts];
  const attempts =
    attemptsValue === undefined || attemptsValue === ''
      ? Number.POSITIVE_INFINITY
      : nonNegativeInt(ENV.faultAttempts, attemptsValue);
  return { tasks, attempts };
}
