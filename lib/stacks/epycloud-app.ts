import { Tags, type App } from 'aws-cdk-lib';
import type { DeploymentConfig } from '../config/schema.js';
import { stageJobDefinitionNames } from '../constructs/stage-job-definitions.js';
import { ComputeStack } from './compute-stack.js';
import { MonitoringStack } from './monitoring-stack.js';
import { PipelineStack } from './pipeline-stack.js';
import { StorageStack } from './storage-stack.js';

/** The stacks of one deployment. */
export interface EpycloudStacks {
  readonly storage: StorageStack;
  readonly compute: ComputeStack;
  readonly pipeline: PipelineStack;
  readonly monitoring: MonitoringStack;
}

/** Where the app runs from. */
export interface EpycloudAppOptions {
  /** Repository root: lambda entries and the Docker build context. */
  readonly projectRoot: string;
  /** Account and region when the config names none (the CLI's `CDK_DEFAULT_*`). */
  readonly defaultEnv?: {
    readonly account?: string | undefined;
    readonly region?: string | undefined;
  };
}

/** Stack ids (and name suffixes): `<stackPrefix>-Storage`, ... */
const STACK_SUFFIXES = {
  storage: 'Storage',
  compute: 'Compute',
  pipeline: 'Pipeline',
  monitoring: 'Monitoring',
} as const;

/** The tag every resource carries; it never changes for a deployment. */
const ENVIRONMENT_TAG = 'epycloud:environment';

/**
 * Resources whose Tags are create-only: changing a tag replaces them, and the job queue has a
 * fixed name, so a replacement would fail. They carry only {@link ENVIRONMENT_TAG}; jobs carry the
 * billing tags (PrepareRun tags them, propagated to their ECS tasks).
 */
const CREATE_ONLY_TAG_TYPES = ['AWS::Batch::JobQueue', 'AWS::Batch::ComputeEnvironment'];

/**
 * Creates the four stacks of one deployment environment, wired by typed
 * props, and tags everything (`epycloud:environment`, `epycloud:billing_project`, config tags;
 * the job queue and compute environments only `epycloud:environment`). Cross-stack references
 * are exports whose values never change with stage sizes, images or tags (the queue by its
 * fixed name, job definitions next to their consumers).
 */
export function createEpycloudStacks(
  app: App,
  config: DeploymentConfig,
  options: EpycloudAppOptions,
): EpycloudStacks {
  const { projectRoot } = options;
  const env = {
    account: config.account ?? options.defaultEnv?.account,
    region: config.region ?? options.defaultEnv?.region,
  };
  const common = (suffix: string) => ({
    env,
    stackName: `${config.stackPrefix}-${suffix}`,
    description: `epycloud ${config.name}: ${suffix.toLowerCase()}`,
  });
  const storage = new StorageStack(app, `${config.stackPrefix}-${STACK_SUFFIXES.storage}`, {
    ...common(STACK_SUFFIXES.storage),
    config,
  });
  const compute = new ComputeStack(app, `${config.stackPrefix}-${STACK_SUFFIXES.compute}`, {
    ...common(STACK_SUFFIXES.compute),
    config,
    runDataAccess: storage.runDataAccess,
  });
  const pipeline = new PipelineStack(app, `${config.stackPrefix}-${STACK_SUFFIXES.pipeline}`, {
    ...common(STACK_SUFFIXES.pipeline),
    config,
    bucket: storage.bucket,
    jobQueue: compute.jobQueueReference,
    jobRole: compute.jobRole,
    executionRole: compute.executionRole,
    jobLogGroup: compute.logGroup,
    repository: compute.repository,
    jobDefinitionNames: stageJobDefinitionNames(config.stackPrefix),
    manifestRead: storage.manifestRead,
    scheduleSnapshotCopy: storage.scheduleSnapshotCopy,
    jobRoles: compute.jobRoles,
    repositoryUri: compute.repository.repositoryUri,
    projectRoot,
  });
  const monitoring = new MonitoringStack(
    app,
    `${config.stackPrefix}-${STACK_SUFFIXES.monitoring}`,
    {
      ...common(STACK_SUFFIXES.monitoring),
      config,
      stateMachine: pipeline.stateMachine,
      jobQueue: compute.jobQueueReference,
      bucket: storage.bucket,
      projectRoot,
    },
  );
  const tags = {
    [ENVIRONMENT_TAG]: config.name,
    'epycloud:billing_project': config.billingProject,
    ...config.tags,
  };
  for (const [key, value] of Object.entries(tags))
    Tags.of(app).add(
      key,
      value,
      key === ENVIRONMENT_TAG && value === config.name
        ? {}
        : { excludeResourceTypes: CREATE_ONLY_TAG_TYPES },
    );
  return { storage, compute, pipeline, monitoring };
}
