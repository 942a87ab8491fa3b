import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  renderStateMachineDefinition,
  type RenderedDefinition,
} from '../../../lib/rehearsal/render-definition.js';
import { synthesizeEpycloud, type SynthesizedEpycloud } from '../../../lib/rehearsal/synth.js';

/** Time allowed for a beforeAll that synthesizes (the first synth loads aws-cdk-lib). */
export const SYNTH_TIMEOUT = 180_000;

/** The repositories besides its own that the prod fixture lets runs name in `imageUri`. */
export const PROD_ALLOWED_REPOSITORIES = [
  'public.ecr.aws/acme/epycloud',
  '123456789012.dkr.ecr.us-east-1.amazonaws.com/models',
] as const;

/** A synthesized deployment and assertion templates per stack. */
export interface SynthFixture extends SynthesizedEpycloud {
  readonly template: (stack: keyof SynthesizedEpycloud['stacks']) => Template;
}

/** Synthesizes once (call in beforeAll): no bundling, no asset staging, no Docker. */
export function synthFixture(
  context: Record<string, unknown> = {},
  stageAssets = false,
): SynthFixture {
  const synthesized = synthesizeEpycloud({ context, stageAssets });
  const cache = new Map<string, Template>();
  return {
    ...synthesized,
    template: (stack) => {
      const name = synthesized.stacks[stack].stackName;
      const found =
        cache.get(name) ??
        Template.fromJSON(synthesized.templates[name] as Record<string, unknown>);
      cache.set(name, found);
      return found;
    },
  };
}

/** The deployments the stack suites assert on, each synthesized once. */
export interface Fixtures {
  /** dev, with a bigger runner and two transient exit codes. */
  readonly dev: SynthFixture;
  /** prod, with 14-day intermediates, an email subscription, a given image URI and two more repositories runs may use. */
  readonly prod: SynthFixture;
  /** dev on managed EC2 Spot behind a NAT gateway, two transient exit codes, image built as a Docker asset (staged). */
  readonly ec2: SynthFixture;
}

/** Synthesizes the three fixture deployments (call in one beforeAll with {@link SYNTH_TIMEOUT}). */
export function synthFixtures(): Fixtures {
  return {
    dev: synthFixture({
      'epycloud:environments': {
        dev: {
          stages: { runner: { vcpus: 2, memoryMiB: 4096, timeoutMinutes: 45 } },
          retry: { attempts: 4, transientExitCodes: [6, 75] },
        },
      },
    }),
    prod: synthFixture({
      'epycloud:env': 'prod',
      'epycloud:environments': {
        prod: {
          storage: { intermediateExpirationDays: 14 },
          notificationEmail: 'ops@example.org',
          image: {
            source: 'uri',
            uri: 'public.ecr.aws/acme/epycloud:1.2',
            allowedRepositories: [...PROD_ALLOWED_REPOSITORIES],
          },
        },
      },
    }),
    ec2: synthFixture(
      {
        'epycloud:environments': {
          dev: {
            network: { mode: 'nat' },
            compute: { type: 'ec2', ec2Spot: true },
            retry: { transientExitCodes: [6, 75] },
            image: { source: 'asset' },
            logRetentionDays: 90,
          },
        },
      },
      true,
    ),
  };
}

/** Every unacknowledged AwsSolutions finding of the app, as `rule @ construct path`. */
export function nagFindings(fixture: SynthesizedEpycloud): string[] {
  const report = new AwsSolutionsChecks().validateScope(fixture.app);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath ?? '?'}`),
  );
}

/** A resource of a synthesized template, with its logical id and the name of its stack. */
export interface FoundResource {
  readonly id: string;
  readonly stackName: string;
  readonly Type: string;
  readonly Properties: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** Every resource of `type` in any stack of the app (the tests need not know which stack holds it). */
export function resourcesOf(fixture: SynthesizedEpycloud, type: string): FoundResource[] {
  return Object.entries(fixture.templates).flatMap(([stackName, template]) =>
    Object.entries(
      ((template as { Resources?: Record<string, { Type: string }> }).Resources ?? {}) as Record<
        string,
        { Type: string; Properties?: Record<string, unknown> }
      >,
    )
      .filter(([, r]) => r.Type === type)
      .map(([id, r]) => ({ ...r, Properties: r.Properties ?? {}, id, stackName })),
  );
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

/** Every IAM policy statement of a template: inline, managed and role policies. */
export function policyStatements(template: Template): Statement[] {
  const json = template.toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  return Object.values(json.Resources).flatMap((resource) => {
    const props = resource.Properties;
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      return (props.PolicyDocument as { Statement: Statement[] }).Statement;
    }
    if (resource.Type === 'AWS::IAM::Role') {
      return (
        (props.Policies as { PolicyDocument: { Statement: Statement[] } }[] | undefined) ?? []
      ).flatMap((p) => p.PolicyDocument.Statement);
    }
    return [];
  });
}

/** The actions of a statement, as a list. */
export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The state machine definition of a synthesized deployment, rendered with placeholder ARNs. */
export function renderPipelineDefinition(synthesized: SynthesizedEpycloud): RenderedDefinition {
  const pipeline = synthesized.templates[synthesized.stacks.pipeline.stackName];
  if (pipeline === undefined)
    throw new Error(`No template for ${synthesized.stacks.pipeline.stackName}`);
  return renderStateMachineDefinition(pipeline, {
    templates: Object.values(synthesized.templates),
  });
}
