import type { StageName } from '../contract/layout.js';
import type { ExperimentSource } from '../host/experiment-source.js';

/** Runs one stage of the image under test with the given contract environment; resolves to its exit code. */
export type StageRunner = (
  stage: StageName,
  env: Readonly<Record<string, string>>,
  bucket: { readonly hostDir: string },
) => Promise<number>;

/** One rule the checker tried, and whether the image kept it. */
export interface RuleOutcome {
  readonly rule: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** What `epycloud contract check` found. */
export interface ContractReport {
  readonly ok: boolean;
  readonly numTasks: number;
  readonly outcomes: readonly RuleOutcome[];
}

/** Options of {@link checkContract}. */
export interface CheckOptions {
  readonly run: StageRunner;
  /** The tiny experiment folder the image understands (holds `config/`). */
  readonly experimentDir: string;
  readonly experiments: Pick<ExperimentSource, 'snapshot'>;
  /** Where the bucket lives during the check (default: a temporary folder, removed after). */
  readonly workDir?: string;
  /** How the stage sees the bucket folder (`/local/bucket` in a container; the host folder as processes). */
  readonly bucketDirSeen?: (hostDir: string) => string;
}
