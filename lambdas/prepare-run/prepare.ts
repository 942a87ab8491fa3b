import { fargateResourcesProblem } from '../../lib/contract/fargate.js';
import {
  stageContainerOverrides,
  stageJobName,
  stageJobTags,
  type StageResources,
} from '../../lib/contract/batch-job.js';
import { executionInputSchema, type ExecutionInput } from '../../lib/contract/execution.js';
import { newRunId } from '../../lib/contract/ids.js';
import { checkImageAllowed } from '../../lib/contract/image.js';
import { RunLayout, STAGES, type StageName } from '../../lib/contract/layout.js';
import type { PrepareRunResult, RunSpec } from '../../lib/contract/pipeline.js';
import { ConfigError, ValidationError } from '../../lib/errors.js';
import type { PrepareConfig } from '../../lib/contract/lambda-config.js';

/** Registers a revision of a job definition with another image; returns the new revision's ARN. */
export type RegisterImage = (jobDefinitionArn: string, image: string) => Promise<string>;

/** What PrepareRun needs besides its event. */
export interface PrepareDeps {
  readonly config: PrepareConfig;
  readonly registerImage: RegisterImage;
  readonly now?: () => Date;
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

async function jobDefinitionsFor(
  image: string | undefined,
  deps: PrepareDeps,
): Promise<Record<StageName, string>> {
  const defaults = deps.config.jobDefinitions;
  if (image === undefined) return { ...defaults };
  const arns = await Promise.all(STAGES.map((stage) => deps.registerImage(defaults[stage], image)));
  return Object.fromEntries(
    STAGES.map((stage, i) => [stage, arns[i] ?? defaults[stage]]),
  ) as Record<StageName, string>;
}

/**
 * PrepareRun: validates the execution input (before anything costs money),
 * fixes the run id (the given one, or a new one), resolves per-stage
 * resources, the image (a job definition revision when the input overrides
 * it), tags, and Stage A's job.
 */
export async function prepareRun(event: unknown, deps: PrepareDeps): Promise<PrepareRunResult> {
  const input = parseInput(event);
  const { config } = deps;
  const runId = input.runId ?? newRunId(deps.now?.() ?? new Date());
  const layout = new RunLayout(input.expId, runId, input.dirPrefix);
  const resources = resolveResources(input, config);
  const profile = input.profile ?? config.environment;
  const billingProject = input.billingProject ?? config.billingProject;
  const tagsOf = (stage: StageName) =>
    stageJobTags({ stage, expId: input.expId, runId, profile, billingProject });
  const tags = { builder: tagsOf('builder'), runner: tagsOf('runner'), output: tagsOf('output') };
  const image = requestedImage(input, config);
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
    jobDefinitions: await jobDefinitionsFor(image, deps),
    tags,
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
        ...(input.referenceDate === undefined ? {} : { referenceDate: input.referenceDate }),
      }),
    },
  };
  return { run, results: { builder: null, runner: null, output: null } };
}
