import { Tags, type App } from 'aws-cdk-lib';
import type { DeploymentConfig } from '../config/schema.js';
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

/**
 * Creates the four stacks of one deployment environment, wired by typed
 * props, and tags everything (`epycloud:environment`, `epycloud:billing_project`, config tags).
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
    bucket: storage.bucket,
    runDataAccess: storage.runDataAccess,
    projectRoot,
  });
  const pipeline = new PipelineStack(app, `${config.stackPrefix}-${STACK_SUFFIXES.pipeline}`, {
    ...common(STACK_SUFFIXES.pipeline),
    config,
    bucket: storage.bucket,
    jobQueue: compute.jobQueue,
    jobDefinitions: compute.jobDefinitions,
    jobDefinitionNames: compute.jobDefinitionNames,
    manifestRead: storage.manifestRead,
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
      jobQueue: compute.jobQueue,
    },
  );
  const tags = {
    'epycloud:environment': config.name,
    'epycloud:billing_project': config.billingProject,
    ...config.tags,
  };
  for (const [key, value] of Object.entries(tags)) Tags.of(app).add(key, value);
  return { storage, compute, pipeline, monitoring };
}
