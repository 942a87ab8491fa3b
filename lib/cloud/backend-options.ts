import type { ExecutionRequest } from '../contract/execution.js';
import type { ExperimentSource } from '../host/experiment-source.js';
import type { LocalPaths } from '../host/paths.js';
import type { AwsClients, AwsTarget } from './clients.js';
import type { CloudLogLine } from './logs.js';
import type { Exec } from '../host/exec.js';

/** Options of `run workflow` that only the cloud honours. */
export interface CloudWorkflowExtras {
  readonly maxParallelism?: number | undefined;
  readonly stages?: ExecutionRequest['stages'];
  readonly imageTag?: string | undefined;
  readonly wait?: boolean | undefined;
}

/** Options of `logs` that only the cloud honours. */
export interface CloudLogExtras {
  readonly tail?: number | undefined;
  readonly since?: Date | undefined;
  readonly follow?: boolean | undefined;
  /** Called for each line as it arrives (with `follow`, the only output). */
  readonly onLine?: ((line: CloudLogLine) => void) | undefined;
}

/** How the cloud back end reaches AWS and this machine. */
export interface CloudBackendConfig {
  readonly target: AwsTarget;
  readonly stackPrefix?: string | undefined;
  readonly paths: LocalPaths;
  readonly experiments: ExperimentSource;
  /** Asked before anything is uploaded or started; `--yes` answers for the user. */
  readonly confirm: (question: string) => Promise<boolean>;
  /** Injected in tests. */
  readonly clients?: AwsClients;
  readonly pollMs?: number;
  /** Who runs this CLI, with what arguments: the run record's launches. */
  readonly launchedBy?: { readonly by: string; readonly argv: readonly string[] };
  /** Asks git about the experiment folder for the run record (default: the real git). */
  readonly exec?: Exec;
}
