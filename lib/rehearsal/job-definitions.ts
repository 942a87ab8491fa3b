import type { StageName } from '../contract/layout.js';
import { NotFoundError } from '../errors.js';
import type { RetryStrategy } from './batch-rules.js';

/** A job definition revision as the Batch stand-in needs it. */
export interface JobDefinitionSpec {
  /** Its ARN, `…:job-definition/<name>:<revision>`. */
  readonly arn: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly retryStrategy?: RetryStrategy | undefined;
  readonly stage?: StageName | undefined;
  /** The container command, e.g. `node dist/stage.mjs runner`. */
  readonly command?: readonly string[] | undefined;
  /**
   * The image of a revision PrepareRun registered; undefined for the synthesized
   * definitions, whose containers run the rehearsal's cloud image.
   */
  readonly image?: string | undefined;
}

const REVISION = /^(.+):(\d+)$/;

/** `<arn without revision>` and the revision number of a job definition ARN. */
function nameAndRevision(arn: string): { name: string; revision: number } {
  const [, name = arn, revision = '0'] = REVISION.exec(arn) ?? [];
  return { name, revision: Number(revision) };
}

/**
 * The Batch stand-in's job definitions: the synthesized ones, and the
 * revisions registered during the rehearsal (RegisterJobDefinition: the next
 * revision number of the same name, the new image and command, the rest copied).
 */
export class JobDefinitions {
  private readonly byArn: Map<string, JobDefinitionSpec>;

  constructor(definitions: readonly JobDefinitionSpec[]) {
    this.byArn = new Map(definitions.map((d) => [d.arn, d]));
  }

  /** Every ARN SubmitJob accepts. */
  arns(): ReadonlySet<string> {
    return new Set(this.byArn.keys());
  }

  /** The revision of that ARN, if any. */
  get(arn: string): JobDefinitionSpec | undefined {
    return this.byArn.get(arn);
  }

  /**
   * Registers a revision of `arn`'s definition with `image` and `command` (each
   * kept when undefined); returns its ARN. A NotFoundError for an unknown definition.
   */
  register(arn: string, image: string | undefined, command?: readonly string[]): string {
    const base = this.byArn.get(arn);
    if (base === undefined) throw new NotFoundError(arn, 'AWS Batch job definitions');
    const { name } = nameAndRevision(arn);
    const latest = Math.max(
      ...[...this.byArn.keys()]
        .map(nameAndRevision)
        .filter((d) => d.name === name)
        .map((d) => d.revision),
    );
    const revision: JobDefinitionSpec = {
      ...base,
      arn: `${name}:${latest + 1}`,
      ...(image === undefined ? {} : { image }),
      ...(command === undefined ? {} : { command: [...command] }),
    };
    this.byArn.set(revision.arn, revision);
    return revision.arn;
  }
}
