import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PLAN_BUCKET_VAR } from '../../../lib/contract/lambda-config.js';
import { PREPARE_CONFIG_VAR } from '../../../lib/contract/lambda-config.js';
import { STACK_OUTPUTS } from '../../../lib/contract/execution.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import {
  policyStatements,
  PROD_ALLOWED_REPOSITORIES,
  resourcesOf,
  type Fixtures,
  type SynthFixture,
} from './support.js';

const resourceText = (resource: unknown): string => JSON.stringify(resource);

/** pipelineStackSuite: registers its tests; `fixtures` is set by the caller's beforeAll. */
export function pipelineStackSuite(fixtures: () => Fixtures): void {
  describe('PipelineStack and MonitoringStack', () => {
    let fixture: SynthFixture;
    beforeAll(() => {
      fixture = fixtures().prod;
    });

    it('is a Standard state machine with full logging and X-Ray tracing', () => {
      fixture.template('pipeline').hasResourceProperties('AWS::StepFunctions::StateMachine', {
        StateMachineType: 'STANDARD',
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      });
      fixture.template('pipeline').hasOutput(STACK_OUTPUTS.stateMachineArn, {});
    });

    it('logs executions to a vended-logs group (/aws/vendedlogs/states/...), deployable without a log resource policy', () => {
      for (const f of [fixture, fixtures().dev]) {
        const [machine] = resourcesOf(f, 'AWS::StepFunctions::StateMachine');
        const destinations = JSON.stringify(machine?.Properties.LoggingConfiguration);
        const groups = resourcesOf(f, 'AWS::Logs::LogGroup').filter(
          (g) => g.stackName === machine?.stackName && destinations.includes(`"${g.id}"`),
        );
        expect(groups).toHaveLength(1);
        expect(groups[0]?.Properties.LogGroupName).toEqual(
          expect.stringMatching(/^\/aws\/vendedlogs\/states\/Epycloud-(prod|dev)-/),
        );
      }
    });

    it('lets the state machine submit only to its queue and its job definitions, and stop its jobs', () => {
      const statements = policyStatements(fixture.template('pipeline'));
      const withAction = (action: string) =>
        statements
          .filter((s) => [s.Action].flat().includes(action))
          .map((s) => resourceText(s.Resource));
      const submit = withAction('batch:SubmitJob').join(' ');
      expect(submit).toContain(':job-queue/EpycloudProdJobQueue');
      expect(submit).not.toContain('Fn::ImportValue');
      for (const stage of ['builder', 'runner', 'output'])
        expect(submit).toContain(`:job-definition/Epycloud-prod-${stage}:*`);
      expect(withAction('batch:TerminateJob').join(' ')).toContain(':job/*');
      expect(withAction('batch:DescribeJobs')).toEqual(['"*"']);
      expect(withAction('events:PutRule').join(' ')).toContain(
        'rule/StepFunctionsGetEventsForBatchJobsRule',
      );
      expect(withAction('lambda:InvokeFunction').join(' ')).toMatch(
        /PrepareRun.*PlanStageB|PlanStageB.*PrepareRun/,
      );
    });

    it('passes the job roles only to Batch (image-override revisions)', () => {
      const passRole = policyStatements(fixture.template('pipeline')).find((s) =>
        [s.Action].flat().includes('iam:PassRole'),
      ) as unknown as {
        Condition: unknown;
        Resource: unknown[];
      };
      expect(passRole.Condition).toEqual({
        StringEquals: { 'iam:PassedToService': 'batch.amazonaws.com' },
      });
      expect(resourceText(passRole.Resource)).toMatch(
        /JobRole.*ExecutionRole|ExecutionRole.*JobRole/,
      );
    });

    it("runs both lambdas on Node 22, the major of the image's default base, with tracing and their configuration", () => {
      const dockerfile = readFileSync(join(PROJECT_ROOT, 'docker/Dockerfile'), 'utf8');
      const base = /^ARG BASE_IMAGE=node:(\d+)-/m.exec(dockerfile);
      expect(base?.[1], 'the Dockerfile defaults to a supported Node LTS').toBe('22');
      const functions = Object.values(
        fixture.template('pipeline').findResources('AWS::Lambda::Function'),
      ) as {
        Properties: Record<string, never>;
      }[];
      const ours = functions.filter(
        (f) =>
          resourceText(f).includes(PREPARE_CONFIG_VAR) || resourceText(f).includes(PLAN_BUCKET_VAR),
      );
      expect(ours).toHaveLength(2);
      for (const fn of ours)
        expect(fn.Properties).toMatchObject({
          Runtime: `nodejs${base?.[1]}.x`,
          TracingConfig: { Mode: 'Active' },
          Handler: 'index.handler',
        });
      const prepare = resourceText(ours.find((f) => resourceText(f).includes(PREPARE_CONFIG_VAR)));
      for (const key of [
        'bucket',
        'repositoryUri',
        'jobDefinitions',
        'resources',
        'billingProject',
      ])
        expect(prepare).toContain(key);
    });

    it("gives PrepareRun the repositories besides the stack's own that runs may name (none unless configured)", () => {
      const prepareConfigOf = (f: SynthFixture): string =>
        resourceText(
          Object.values(f.template('pipeline').findResources('AWS::Lambda::Function')).find((fn) =>
            resourceText(fn).includes(PREPARE_CONFIG_VAR),
          ),
        );
      expect(prepareConfigOf(fixtures().dev)).toContain('\\"allowedImageRepositories\\":[]');
      for (const repository of PROD_ALLOWED_REPOSITORIES)
        expect(prepareConfigOf(fixture)).toContain(repository);
    });

    it('lets PlanStageB read manifests only', () => {
      const plan = Object.entries(
        fixture.template('pipeline').findResources('AWS::IAM::Role'),
      ).find(([id]) => id.startsWith('PlanStageB'));
      expect(resourceText(plan)).toContain('ManifestRead');
      fixture.template('storage').hasResourceProperties('AWS::IAM::ManagedPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 's3:GetObject',
              Resource: {
                'Fn::Join': [
                  '',
                  [
                    { 'Fn::GetAtt': ['DataBucket', 'Arn'] },
                    '/*/runs/*/builder-artifacts/manifest.json',
                  ],
                ],
              },
            }),
          ]),
        },
      });
    });

    it('uses a given image URI in every job definition', () => {
      const definitions = resourcesOf(fixture, 'AWS::Batch::JobDefinition') as unknown as {
        Properties: { ContainerProperties: { Image: unknown } };
      }[];
      expect(definitions.map((d) => d.Properties.ContainerProperties.Image)).toEqual(
        Array(3).fill('public.ecr.aws/acme/epycloud:1.2'),
      );
    });

    it('notifies an encrypted, TLS-only topic of finished executions, with the configured email', () => {
      const monitoring = fixture.template('monitoring');
      monitoring.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
      monitoring.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'ops@example.org',
      });
      monitoring.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
      monitoring.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          source: ['aws.states'],
          detail: Match.objectLike({ status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] }),
        }),
      });
      monitoring.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    });

    it('alarms on failed executions and failed Batch jobs, counted from job state-change events', () => {
      const monitoring = fixture.template('monitoring');
      monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ExecutionsFailed',
        Threshold: 1,
        AlarmActions: Match.anyValue(),
      });
      monitoring.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: [
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: { MetricName: 'BatchJobsFAILED', Namespace: 'Epycloud' },
            }),
          }),
        ],
        AlarmActions: Match.anyValue(),
      });
      monitoring.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: Match.objectLike({
          source: ['aws.batch'],
          'detail-type': ['Batch Job State Change'],
        }),
      });
      monitoring.resourceCountIs('AWS::Logs::MetricFilter', 6);
      const dashboard = resourceText(monitoring.findResources('AWS::CloudWatch::Dashboard'));
      for (const title of ['Executions', 'Batch jobs by state', 'Task durations'])
        expect(dashboard).toContain(title);
    });

    it('tags every stack with the environment and billing project', () => {
      fixture.template('pipeline').hasResourceProperties('AWS::StepFunctions::StateMachine', {
        Tags: Match.arrayWith([
          { Key: 'epycloud:billing_project', Value: 'default' },
          { Key: 'epycloud:environment', Value: 'prod' },
        ]),
      });
      fixture.template('storage').hasResourceProperties('AWS::S3::Bucket', {
        Tags: Match.arrayWith([{ Key: 'epycloud:environment', Value: 'prod' }]),
      });
    });
  });
}
