import { PLAN_BUCKET_VAR } from '../contract/lambda-config.js';
import {
  PREPARE_CONFIG_VAR,
  prepareConfigSchema,
  type PrepareConfig,
} from '../contract/lambda-config.js';
import { parseStage } from '../contract/layout.js';
import { ConfigError } from '../errors.js';
import type { JobDefinitionSpec } from './job-definitions.js';
import type { RetryStrategy } from './batch-rules.js';
import { IntrinsicResolver, REHEARSAL_PLACEHOLDERS, type Template } from './intrinsics.js';
import { renderStateMachineDefinition } from './render-definition.js';

/** What the rehearsal takes from the synthesized app. */
export interface RehearsalStack {
  /** The state machine's ASL definition, ARNs resolved. */
  readonly definition: Record<string, unknown>;
  readonly bucketName: string;
  readonly queues: readonly string[];
  readonly jobDefinitions: readonly JobDefinitionSpec[];
  /** The PrepareRun lambda's configuration, as deployed. */
  readonly prepareConfig: PrepareConfig;
}

type Resources = NonNullable<Template['Resources']>;
type Resource = Resources[string];

function resourcesOf(
  templates: readonly Template[],
  type: string,
): { id: string; resource: Resource; template: Template }[] {
  return templates.flatMap((template) =>
    Object.entries(template.Resources ?? {})
      .filter(([, r]) => r.Type === type)
      .map(([id, resource]) => ({ id, resource, template })),
  );
}

function lambdaVariable(
  templates: readonly Template[],
  resolver: IntrinsicResolver,
  name: string,
): string {
  for (const { resource, template } of resourcesOf(templates, 'AWS::Lambda::Function')) {
    const variables = (
      resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
    )?.Variables;
    if (variables?.[name] !== undefined) return resolver.resolveString(variables[name], template);
  }
  throw new ConfigError(`No lambda of the synthesized app sets ${name}`);
}

function jobDefinitionSpec(
  id: string,
  resource: Resource,
  template: Template,
  resolver: IntrinsicResolver,
): JobDefinitionSpec {
  const props = (resolver.resolve(resource.Properties ?? {}, template) ?? {}) as {
    ContainerProperties?: { Command?: string[]; Environment?: { Name: string; Value: string }[] };
    EcsProperties?: {
      TaskProperties?: {
        Containers?: { Command?: string[]; Environment?: { Name: string; Value: string }[] }[];
      }[];
    };
    RetryStrategy?: RetryStrategy;
  };
  const container =
    props.ContainerProperties ?? props.EcsProperties?.TaskProperties?.[0]?.Containers?.[0];
  const last = container?.Command?.at(-1);
  return {
    arn: resolver.resolveString({ Ref: id }, template),
    environment: Object.fromEntries((container?.Environment ?? []).map((e) => [e.Name, e.Value])),
    retryStrategy: props.RetryStrategy,
    stage: last === undefined ? undefined : parseStage(last),
    command: container?.Command,
  };
}

/**
 * Reads the synthesized app: the state machine definition, job definitions
 * and queues, and the lambdas' configuration, all with intrinsics resolved in
 * the rehearsal's stand-in account.
 */
export function readRehearsalStack(templates: readonly Template[]): RehearsalStack {
  const resolver = new IntrinsicResolver(templates);
  const [machine, ...others] = resourcesOf(templates, 'AWS::StepFunctions::StateMachine');
  if (machine === undefined || others.length > 0)
    throw new ConfigError(
      `Expected one state machine in the synthesized app, found ${others.length + (machine ? 1 : 0)}`,
    );
  const parsed = prepareConfigSchema.safeParse(
    JSON.parse(lambdaVariable(templates, resolver, PREPARE_CONFIG_VAR)),
  );
  if (!parsed.success)
    throw new ConfigError(
      `The synthesized ${PREPARE_CONFIG_VAR} is invalid`,
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
    );
  const planBucket = lambdaVariable(templates, resolver, PLAN_BUCKET_VAR);
  if (planBucket !== parsed.data.bucket)
    throw new ConfigError(
      `PlanStageB reads bucket ${planBucket} but PrepareRun writes to ${parsed.data.bucket}`,
    );
  return {
    definition: renderStateMachineDefinition(machine.template, {
      templates,
      ...REHEARSAL_PLACEHOLDERS,
    }).definition,
    bucketName: parsed.data.bucket,
    queues: resourcesOf(templates, 'AWS::Batch::JobQueue').map(({ id, template }) =>
      resolver.resolveString({ Ref: id }, template),
    ),
    jobDefinitions: resourcesOf(templates, 'AWS::Batch::JobDefinition').map(
      ({ id, resource, template }) => jobDefinitionSpec(id, resource, template, resolver),
    ),
    prepareConfig: parsed.data,
  };
}
