import type { StageName } from '../contract/layout.js';

/** How local stages run: in containers (Docker Compose) or as host processes. */
export const RUNTIMES = ['docker', 'process'] as const;
/** A local runtime. */
export type Runtime = (typeof RUNTIMES)[number];

/** One stage (or one Stage B task) to start. */
export interface StageLaunch {
  readonly stage: StageName;
  /** The stage-contract variables for this launch (from `stageEnvironment`), host paths. */
  readonly env: Readonly<Record<string, string>>;
  /** Absolute path of the file that receives the stage's stdout and stderr (appended). */
  readonly logFile: string;
  /** Receives each line the stage writes (its JSON log lines), as it writes it. */
  readonly onLine?: ((line: string) => void) | undefined;
  /** Aborting stops the stage (and its container); the launch then rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}

/** What a finished launch reports. */
export interface LaunchResult {
  /** The process exit code; 0 is success. */
  readonly exitCode: number;
  /** Wall time of the launch, including container start-up. */
  readonly durationMs: number;
}

/**
 * Starts stages. Implementations never throw for a stage that fails (that is
 * a non-zero `exitCode`); they throw `EnvironmentError` when they cannot start
 * anything at all (no Docker engine, no Compose), and the abort reason when the
 * launch's signal stops it. A stage never outlives the process that launched it.
 */
export interface StageLauncher {
  readonly runtime: Runtime;
  /** Checks that stages can start (engine, image, Compose), before a run writes anything. */
  ready?(): Promise<void>;
  launch(launch: StageLaunch): Promise<LaunchResult>;
}

/** Where local mode keeps experiments and artifacts, all absolute. */
export interface LocalPaths {
  /** The repository root: where `docker/` and `pipeline-scripts/` live. */
  readonly projectRoot: string;
  /** The local folder (default `./local`), mounted into containers at `/local`. */
  readonly localDir: string;
  /** `<local dir>/forecast/experiments`: one folder per experiment id. */
  readonly experimentsDir: string;
  /** `<local dir>/bucket`: the local storage root (`LOCAL_BUCKET_DIR`). */
  readonly bucketDir: string;
}
