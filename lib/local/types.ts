import type { StageName } from '../contract/layout.js';
import type { LaunchResult } from '../host/exec.js';
import type { StageCode } from '../run/run-record.js';

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
  /** What runs the stages, for the run record: the bundle's sha256, or the image and its id. */
  stageCode?(): Promise<StageCode | undefined>;
  /**
   * The stages of one run (or job): a launcher that may keep what it starts
   * warm between launches (Docker: one container per slot), starting `warm`
   * slots at once and more on demand. Without it, everything goes through
   * `launch`. The caller always closes it, however the run ends.
   */
  openSession?(warm: number): StageSession;
}

/** Launches the stages and tasks of one run (see `StageLauncher.openSession`). */
export interface StageSession {
  /** Same contract as `StageLauncher.launch`. */
  launch(launch: StageLaunch): Promise<LaunchResult>;
  /** Ends and removes whatever the session started; resolves once it is gone. Never throws; idempotent. */
  close(): Promise<void>;
}
