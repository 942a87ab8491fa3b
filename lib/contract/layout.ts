import { isValidExpId, isValidRunId, validateExpId, validateRunId } from './ids.js';
import { ValidationError } from '../errors.js';
import { RUN_DIRS, RUNS_SEGMENT } from './run-dirs.js';

/** Width of the zero-padded task index in artifact names. */
const INDEX_WIDTH = 5;

/** Zero-pads a task index to {@link INDEX_WIDTH} digits; wider indexes are kept whole. */
export function padIndex(index: number): string {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new ValidationError(`Task index must be a non-negative integer, got ${index}`);
  }
  return String(index).padStart(INDEX_WIDTH, '0');
}

/** Parses the index out of `input_00042.json.gz`-style names; undefined when the name does not match. */
export function indexFromName(
  name: string,
  stem: 'input' | 'result' | 'task' | 'runner',
): number | undefined {
  const match = new RegExp(`(?:^|/)${stem}_(\\d{${INDEX_WIDTH},})\\.`).exec(name);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function validateDirPrefix(dirPrefix: string): string {
  if (
    dirPrefix !== '' &&
    (!dirPrefix.endsWith('/') || dirPrefix.startsWith('/') || dirPrefix.split('/').includes('..'))
  ) {
    throw new ValidationError(
      `Invalid DIR_PREFIX "${dirPrefix}": expected "" or a relative path ending in "/" without ".."`,
    );
  }
  return dirPrefix;
}

/**
 * Prefix of an experiment's runs, `{dirPrefix}{expId}/runs/`. Listing it finds
 * that experiment's runs and nothing of any other experiment, nested or not.
 */
export function runsPrefix(expId: string, dirPrefix = ''): string {
  return `${validateDirPrefix(dirPrefix)}${validateExpId(expId)}/${RUNS_SEGMENT}/`;
}

/**
 * The cross-run task cache's entry for a task hash, shared by every run under
 * `dirPrefix`: `{dirPrefix}epycloud-cache/tasks/<hash>.json`. The one key
 * outside a run's prefix that a stage writes (docs/CACHE.md); it cannot meet
 * an experiment's runs, which always sit under a `runs/` segment.
 */
export function taskCacheKey(hash: string, dirPrefix = ''): string {
  if (!/^[0-9a-f]{64}$/.test(hash))
    throw new ValidationError(`Invalid task cache hash "${hash}": expected 64 hex digits`);
  return `${validateDirPrefix(dirPrefix)}epycloud-cache/tasks/${hash}.json`;
}

/** Where a stored key sits in the layout: its run and its key relative to the run prefix. */
export interface RunKey {
  readonly expId: string;
  readonly runId: string;
  readonly keyInRun: string;
}

/**
 * Splits a key of some run (`{dirPrefix}{expId}/runs/{runId}/{keyInRun}`) into
 * its parts; undefined for a key under no run. Exact, because `runs` is never a
 * segment of an experiment id.
 */
export function parseRunKey(key: string, dirPrefix = ''): RunKey | undefined {
  if (!key.startsWith(dirPrefix)) return undefined;
  const segments = key.slice(dirPrefix.length).split('/');
  const at = segments.indexOf(RUNS_SEGMENT);
  const expId = segments.slice(0, Math.max(at, 0)).join('/');
  const runId = segments[at + 1] ?? '';
  const keyInRun = segments.slice(at + 2).join('/');
  if (at < 1 || keyInRun === '' || !isValidExpId(expId) || !isValidRunId(runId)) return undefined;
  return { expId, runId, keyInRun };
}

/** An IAM resource pattern matching one key (relative to the run prefix) in every run of every experiment. */
export function anyRunKey(keyInRun: string): string {
  return `*/${RUNS_SEGMENT}/*/${keyInRun}`;
}

/**
 * Storage keys of one run: everything a run writes lives under
 * `{dirPrefix}{expId}/runs/{runId}/`. Every part of epycloud derives keys here.
 */
export class RunLayout {
  /** The run prefix, ending in `/`. */
  readonly prefix: string;

  constructor(
    readonly expId: string,
    readonly runId: string,
    readonly dirPrefix = '',
  ) {
    this.prefix = `${runsPrefix(expId, dirPrefix)}${validateRunId(runId)}/`;
  }

  /** Snapshot of the experiment's config files, e.g. `experiment/config/model.yaml`. */
  experimentFile(relativePath: string): string {
    return this.key(`${RUN_DIRS.experiment}/${relativePath}`);
  }

  /** Prefix under which the experiment snapshot lives. */
  get experimentPrefixKey(): string {
    return this.key(`${RUN_DIRS.experiment}/`);
  }

  /** The experiment snapshot's manifest (every file and its sha256), written after the files: `experiment/snapshot-manifest.json`. */
  get snapshotManifest(): string {
    return this.key(`${RUN_DIRS.experiment}/snapshot-manifest.json`);
  }

  /** Task input i: `builder-artifacts/input_00000.json.gz`. */
  input(index: number): string {
    return this.key(`${RUN_DIRS.builder}/input_${padIndex(index)}.json.gz`);
  }

  /** The run's record (`run.json`): lineage, launches and how the run ended (lib/run/run-record.ts). */
  get runRecord(): string {
    return this.key('run.json');
  }

  /** The run's lock file (local mode): not an artifact, so listing and replacing a run pass it by. */
  get lock(): string {
    return this.key('.lock');
  }

  /** The builder's manifest head: number of tasks and how its input hashes are split into parts. */
  get manifest(): string {
    return this.key(`${RUN_DIRS.builder}/manifest.json`);
  }

  /** Part k of the manifest's input hashes: `builder-artifacts/manifest-parts/part_00000.json`. */
  manifestPart(part: number): string {
    return this.key(`${RUN_DIRS.builder}/manifest-parts/part_${padIndex(part)}.json`);
  }

  /** A task map of a retry: the indexes Stage B reruns, named by their hash: `builder-artifacts/task-maps/<hash>.json`. */
  taskMap(hash: string): string {
    return this.key(`${RUN_DIRS.builder}/task-maps/${hash}.json`);
  }

  /** Task result i, an Arrow IPC file: `runner-artifacts/result_00000.arrow`. */
  result(index: number): string {
    return this.key(`${RUN_DIRS.runner}/result_${padIndex(index)}.arrow`);
  }

  /** Prefix of the runner's results. */
  get resultsPrefix(): string {
    return this.key(`${RUN_DIRS.runner}/`);
  }

  /** One output folder, `outputs/<UTC YYYYMMDD-HHMMSS>/`. */
  outputDir(stamp: string): string {
    return this.key(`${RUN_DIRS.outputs}/${stamp}/`);
  }

  /** Prefix of all output folders. */
  get outputsPrefix(): string {
    return this.key(`${RUN_DIRS.outputs}/`);
  }

  /** Prefix of every stage and task summary. */
  get summariesPrefix(): string {
    return this.key(`${RUN_DIRS.summaries}/`);
  }

  /** Summary JSON of a stage; task summaries carry their index. */
  summary(stage: StageName, index?: number): string {
    const name = index === undefined ? stage : `${stage}_${padIndex(index)}`;
    return this.key(`${RUN_DIRS.summaries}/${name}.json`);
  }

  /** Calibration progress of forecast task i, rewritten after each generation: `progress/task_00000.json`. */
  progress(index: number): string {
    return this.key(`${RUN_DIRS.progress}/task_${padIndex(index)}.json`);
  }

  /** Prefix of the tasks' calibration progress. */
  get progressPrefix(): string {
    return this.key(`${RUN_DIRS.progress}/`);
  }

  /** Log file of a stage or task, for modes that keep logs themselves. */
  log(stage: StageName, index?: number): string {
    const name = index === undefined ? stage : `${stage}_${padIndex(index)}`;
    return this.key(`${RUN_DIRS.logs}/${name}.log`);
  }

  /** Fault-injection attempt counter of a task: `logs/fault-injection/task_00003.json` (resilience tests only). */
  faultMarker(index: number): string {
    return this.key(`${RUN_DIRS.logs}/fault-injection/task_${padIndex(index)}.json`);
  }

  private key(relative: string): string {
    return `${this.prefix}${relative}`;
  }
}

/** The three stages, by their contract names. */
export const STAGES = ['builder', 'runner', 'output'] as const;
/** A stage's contract name. */
export type StageName = (typeof STAGES)[number];

const STAGE_ALIASES: Record<string, StageName> = {
  a: 'builder',
  b: 'runner',
  c: 'output',
  builder: 'builder',
  runner: 'runner',
  output: 'output',
};

/** Accepts `A|B|C|builder|runner|output` in any case; throws naming the accepted values. */
export function parseStage(value: string): StageName {
  const stage = STAGE_ALIASES[value.toLowerCase()];
  if (stage === undefined)
    throw new ValidationError(
      `Unknown stage "${value}": expected A, B, C, builder, runner or output`,
    );
  return stage;
}
