import { fargateResourcesProblem } from '../../lib/contract/fargate.js';
import {
  stageContainerOverrides,
  stageJobName,
  stageJobTags,
  type StageResources,
} from '../../lib/contract/batch-job.js';
import { executionInputSchema, type ExecutionInput } from '../../lib/contract/execution.js';
import { newRunId } from '../../lib/contract/ids.js';
import {
  checkImageAllowed,
  IMAGE_DIGEST,
  parseEcrRepository,
  parseImageReference,
  unpinnableRepository,
} from '../../lib/contract/image.js';
import { RunLayout, STAGES, type StageName } from '../../lib/contract/layout.js';
import type { PrepareRunResult, RunImage, RunSpec } from '../../lib/contract/pipeline.js';
import { resolveReferenceDate } from '../../lib/contract/reference-date.js';
import { ConfigError, StageError, ValidationError } from '../../lib/errors.js';
import type { PrepareConfig } from '../../lib/contract/lambda-config.js';
import {
  copyScheduleSnapshot,
  scheduledRunStart,
  type RecordScheduledRun,
  type ScheduleSnapshots,
} from './scheduled.js';

/**
 * Registers a revision of a job definition with another image, another
 * command, or both (undefined keeps the definition's); returns the new revision's ARN.
 */
export type RegisterImage = (
  jobDefinitionArn: string,
  image: string | undefined,
  command?: readonly string[],
) => Promise<string>;

/**
 * The digest (`sha256:...`) a tag of an ECR repository of the deployment's
 * account and region names now; undefined when the repository holds no such tag.
 */
export type ResolveImageDigest = (
  repositoryName: string,
  imageTag: string,
) => Promise<string | undefined>;

/** What PrepareRun needs besides its event. */
export interface PrepareDeps {
  readonly config: PrepareConfig;
  readonly registerImage: RegisterImage;
  /** Resolves a tag of the stack's repository to its digest (ECR DescribeImages). */
  readonly resolveImageDigest: ResolveImageDigest;
  readonly now?: () => Date;
  /** Scheduled inputs (`source`): the data bucket and a copier for the schedule's snapshot. */
  readonly snapshots?: ScheduleSnapshots;
  /** Scheduled inputs: writes the run record (a seam until `lib/run/run-record.ts` exists). */
  readonly recordScheduledRun?: RecordScheduledRun;
}

function parseInput(event: unknown): ExecutionInput {
  const parsed = executionInputSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (i) => `${i.path.length > 0 ? i.path.join('.') : '(input)'}: ${i.message}`,
  );
  throw new ConfigError('Invalid execution input', problems);
}

function resolveResources(
  input: ExecutionInput,
  config: PrepareConfig,
): Record<StageName, StageResources> {
  const problems: string[] = [];
  const entries = STAGES.map((stage) => {
    const resources = { ...config.resources[stage], ...input.stages[stage] };
    const problem =
      config.platform === 'fargate'
        ? fargateResourcesProblem(resources.vcpus, resources.memoryMiB)
        : undefined;
    if (problem !== undefined) problems.push(`stages.${stage}: ${problem}`);
    return [stage, resources] as const;
  });
  if (problems.length > 0) throw new ConfigError('Invalid execution input', problems);
  return Object.fromEntries(entries) as Record<StageName, StageResources>;
}

/**
 * The image a run asks for: `imageUri` (from the stack's repository or an
 * allowed one) wins, `imageTag` is a tag of the stack's repository; undefined
 * keeps the job definitions' image.
 */
export function requestedImage(
  input: ExecutionInput,
  config: Pick<PrepareConfig, 'repositoryUri' | 'allowedImageRepositories'>,
): string | undefined {
  if (input.imageUri !== undefined && input.imageTag !== undefined) {
    throw new ValidationError('Execution input sets both imageUri and imageTag: give one');
  }
  if (input.imageUri !== undefined)
    return checkImageAllowed(input.imageUri, config.repositoryUri, config.allowedImageRepositories);
  return input.imageTag === undefined ? undefined : `${config.repositoryUri}:${input.imageTag}`;
}

/** The name of the stack's repository, from its URI (`<registry>/<name>`). */
function repositoryName(repositoryUri: string): string {
  return (
    parseEcrRepository(repositoryUri)?.name ?? repositoryUri.slice(repositoryUri.indexOf('/') + 1)
  );
}

/**
 * Pins a requested image (already allowed by {@link requestedImage}) to a
 * digest, so that every job of the run pulls the same build: a reference by
 * digest is kept; a tag of the stack's repository is resolved now and becomes
 * `<repositoryUri>@sha256:...`; a tag of another (allowed) repository is
 * refused, since PrepareRun may look up only its own repository: name it by digest.
 */
export async function pinImage(
  requested: string,
  config: Pick<PrepareConfig, 'repositoryUri'>,
  resolveDigest: ResolveImageDigest,
): Promise<RunImage> {
  const { tag, digest } = parseImageReference(requested);
  if (digest !== undefined) return { requested, uri: requested, digest };
  const repository = unpinnableRepository(requested, config.repositoryUri);
  if (repository !== undefined)
    throw new ValidationError(
      `Execution input imageUri "${requested}" names a tag of ${repository}; a run's image is pinned by digest, ` +
        `and PrepareRun resolves tags of the stack's own repository ${config.repositoryUri} only. ` +
        `Pass it by digest: ${repository}@sha256:<digest> (docker buildx imagetools inspect ${requested})`,
    );
  const imageTag = tag ?? 'latest';
  const name = repositoryName(config.repositoryUri);
  const resolved = await resolveDigest(name, imageTag);
  if (resolved === undefined)
    throw new ValidationError(
      `Image tag "${imageTag}" not found in ECR repository "${name}" (${config.repositoryUri}): ` +
        `push it first (epycloud build cloud --tag ${imageTag}) or pass a tag it holds`,
    );
  if (!IMAGE_DIGEST.test(resolved))
    throw new StageError(
      `ECR repository "${name}" answered digest "${resolved}" for tag "${imageTag}": expected sha256:<64 hex>`,
    );
  return { requested, uri: `${config.repositoryUri}@${resolved}`, digest: resolved };
}

/**
 * The job definition of each stage: the deployed one, or a revision registered
 * with the run's image and the stage's command, when the run changes either.
 */
async function jobDefinitionsFor(
  image: string | undefined,
  commands: ExecutionInput['commands'],
  deps: PrepareDeps,
): Promise<Record<StageName, string>> {
  const defaults = deps.config.jobDefinitions;
  const arns = await Promise.all(
    STAGES.map((stage) => {
      const command = commands?.[stage];
      return image === undefined && command === undefined
        ? defaults[stage]
        : deps.registerImage(defaults[stage], image, command);
    }),
  );
  return Object.fromEntries(
    STAGES.map((stage, i) => [stage, arns[i] ?? defaults[stage]]),
  ) as Record<StageName, string>;
}

/** A scheduled input's experiment: the schedule's snapshot copied into the run, then its record. */
async function startScheduled(
  input: ExecutionInput,
  layout: RunLayout,
  referenceDate: string | undefined,
  now: Date,
  deps: PrepareDeps,
): Promise<void> {
  if (input.source === undefined) return;
  if (deps.snapshots === undefined)
    throw new ConfigError(
      `Execution input source.schedule "${input.source.schedule}": this PrepareRun has no access to the data bucket to copy the schedule's snapshot`,
    );
  await copyScheduleSnapshot(deps.snapshots, input.source, layout);
  await deps.recordScheduledRun?.(scheduledRunStart(input.source, layout, referenceDate, now));
}

/**
 * PrepareRun: validates the execution input (before anything costs money),
 * fixes the run id (the given one, or a new one), resolves per-stage
 * resources, the image and commands (when the input overrides them: the image
 * pinned to a digest and recorded in `run.image`, a job definition revision per
 * stage with the image and the stage's command), tags, and Stage A's job.
 * A scheduled input (`source`) gets the schedule's experiment snapshot copied
 * into the run, and `referenceDate: auto` becomes the coming Saturday.
 */
export async function prepareRun(event: unknown, deps: PrepareDeps): Promise<PrepareRunResult> {
  const input = parseInput(event);
  const { config } = deps;
  const now = deps.now?.() ?? new Date();
  const runId = input.runId ?? newRunId(now);
  const layout = new RunLayout(input.expId, runId, input.dirPrefix);
  const referenceDate =
    input.referenceDate === undefined ? undefined : resolveReferenceDate(input.referenceDate, now);
  const resources = resolveResources(input, config);
  const profile = input.profile ?? config.environment;
  const billingProject = input.billingProject ?? config.billingProject;
  const tagsOf = (stage: StageName) =>
    stageJobTags({ stage, expId: input.expId, runId, profile, billingProject });
  const tags = { builder: tagsOf('builder'), runner: tagsOf('runner'), output: tagsOf('output') };
  const requested = requestedImage(input, config);
  const image =
    requested === undefined ? null : await pinImage(requested, config, deps.resolveImageDigest);
  const jobDefinitions = await jobDefinitionsFor(image?.uri, input.commands, deps);
  await startScheduled(input, layout, referenceDate, now, deps);
  const run: RunSpec = {
    expId: input.expId,
    runId,
    dirPrefix: input.dirPrefix,
    prefix: layout.prefix,
    skipOutput: input.skipOutput,
    maxParallelism: input.maxParallelism ?? null,
    outputConfigFile: input.outputConfigFile ?? null,
    profile,
    billingProject,
    resources,
    jobDefinitions,
    image,
    tags,
    ...(input.cache === false ? { cache: false } : {}),
    builder: {
      jobName: stageJobName('builder', input.expId, runId),
      containerOverrides: stageContainerOverrides({
        stage: 'builder',
        expId: input.expId,
        runId,
        dirPrefix: input.dirPrefix,
        bucket: config.bucket,
        resources: resources.builder,
        ...(input.outputConfigFile === undefined
          ? {}
          : { outputConfigFile: input.outputConfigFile }),
        ...(referenceDate === undefined ? {} : { referenceDate }),
        ...(input.cache === false ? { cache: false } : {}),
      }),
    },
  };
  return { run, results: { builder: null, runner: null, output: null } };
}
