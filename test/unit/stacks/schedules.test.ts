import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../lib/config/load.js';
import { dataTriggerSchema, scheduleConfigFields } from '../../../lib/config/schedule-config.js';
import { STACK_OUTPUTS } from '../../../lib/contract/execution.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import type { SynthesizedEpycloud } from '../../../lib/rehearsal/synth.js';
import { createEpycloudStacks } from '../../../lib/stacks/epycloud-app.js';
import { actionsOf, nagFindings, policyStatements, SYNTH_TIMEOUT } from './support.js';

type Statement = Parameters<typeof actionsOf>[0];

const TRIGGER = {
  prefix: 'surveillance/nhsn/',
  suffix: '.csv',
  schedule: 'flu-weekly',
  expId: 'flu/2026',
};

/**
 * Synthesizes the app (offline, no bundling) with the schedule fields of the deployment config
 * given beside it: `dataTriggers` reaches the stacks as lib/config/schedule-config.ts parses it.
 */
function synthWith(schedules: Record<string, unknown>): SynthesizedEpycloud & {
  template: (stack: 'storage' | 'pipeline') => Template;
} {
  const app = new App({
    context: {
      'epycloud:environments': { dev: {} },
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:disable-asset-staging': true,
    },
  });
  const config = {
    ...loadDeploymentConfig((key) => app.node.tryGetContext(key)),
    dataTriggers: scheduleConfigFields.dataTriggers.parse(schedules.dataTriggers),
  };
  const stacks = createEpycloudStacks(app, config, { projectRoot: PROJECT_ROOT });
  const assembly = app.synth();
  const templates = Object.fromEntries(
    assembly.stacks.map((s) => [s.stackName, s.template as Record<string, unknown>]),
  );
  return {
    app,
    config,
    stacks,
    templates,
    template: (stack) => Template.fromJSON(templates[stacks[stack].stackName]!),
  };
}

describe('schedules in the CDK app', () => {
  let plain: ReturnType<typeof synthWith>;
  let triggered: ReturnType<typeof synthWith>;
  beforeAll(() => {
    plain = synthWith({});
    triggered = synthWith({ dataTriggers: [TRIGGER] });
  }, SYNTH_TIMEOUT);
  afterAll(() => {
    for (const f of [plain, triggered])
      if (f) rmSync(f.app.outdir, { recursive: true, force: true });
  });

  it.each(['plain', 'triggered'])('%s has no unacknowledged cdk-nag finding', (name) => {
    expect(nagFindings(name === 'plain' ? plain : triggered)).toEqual([]);
  });

  it('has a schedule group with a generated name and outputs for the CLI', () => {
    const pipeline = plain.template('pipeline');
    pipeline.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    const name = Object.values(pipeline.findResources('AWS::Scheduler::ScheduleGroup'))[0]
      ?.Properties?.Name as string;
    expect(name).toMatch(/^EpyclouddevPipeline-Schedules-Group-[0-9A-F]{8}$/);
    const outputs = pipeline.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[STACK_OUTPUTS.scheduleGroupName]?.Value).toBe(name);
    expect(outputs[STACK_OUTPUTS.schedulerRoleArn]?.Value).toMatchObject({
      'Fn::GetAtt': [expect.stringMatching(/^SchedulesRole/), 'Arn'],
    });
  });

  it("gives the schedules' role to EventBridge Scheduler of this account and group only, for StartExecution on the state machine", () => {
    const pipeline = plain.template('pipeline');
    const roles = pipeline.findResources('AWS::IAM::Role', {
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
        },
      },
    });
    const [id, role] = Object.entries(roles)[0]!;
    expect(Object.keys(roles)).toHaveLength(1);
    const trust = (role.Properties as { AssumeRolePolicyDocument: { Statement: unknown[] } })
      .AssumeRolePolicyDocument.Statement[0] as {
      Condition: Record<string, Record<string, unknown>>;
    };
    expect(trust.Condition.StringEquals).toEqual({
      'aws:SourceAccount': { Ref: 'AWS::AccountId' },
    });
    expect(JSON.stringify(trust.Condition.ArnLike?.['aws:SourceArn'])).toContain(':schedule/');
    const policies = pipeline.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: id }] },
    });
    const statements = Object.values(policies).flatMap(
      (p) =>
        (p.Properties as { PolicyDocument: { Statement: unknown[] } }).PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: 'states:StartExecution',
        Resource: { Ref: expect.stringMatching(/^StateMachine/) },
      },
    ]);
  });

  it('lets PrepareRun read schedule snapshots and write only run experiment/ folders', () => {
    const storage = plain.template('storage');
    const [id, policy] = Object.entries(
      storage.findResources('AWS::IAM::ManagedPolicy', {
        Properties: { Description: Match.stringLikeRegexp('schedule') },
      }),
    )[0]!;
    const statements = (policy.Properties as { PolicyDocument: { Statement: Statement[] } })
      .PolicyDocument.Statement;
    const text = statements.map((s) => `${actionsOf(s).join(',')} ${JSON.stringify(s.Resource)}`);
    expect(text.find((t) => t.startsWith('s3:GetObject '))).toContain(
      '/*/schedules/*/experiment/*',
    );
    expect(text.find((t) => t.startsWith('s3:PutObject '))).toContain('/*/runs/*/experiment/*');
    expect(statements.flatMap(actionsOf)).not.toContain('s3:DeleteObject');
    const prepareRole = Object.values(
      plain.template('pipeline').findResources('AWS::IAM::Role', {
        Properties: {
          ManagedPolicyArns: Match.arrayWith([
            Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp(id) }),
          ]),
        },
      }),
    );
    expect(prepareRole).toHaveLength(1);
    expect(policyStatements(plain.template('pipeline')).flatMap(actionsOf)).not.toContain(
      's3:GetObject',
    );
  });

  it('without a trigger: no rule, and the bucket sends nothing to EventBridge', () => {
    plain.template('pipeline').resourceCountIs('AWS::Events::Rule', 0);
    const bucket = plain.template('storage').toJSON().Resources.DataBucket as {
      Properties: Record<string, unknown>;
    };
    expect(bucket.Properties.NotificationConfiguration).toBeUndefined();
  });

  it('a data-arrival trigger: bucket events on, a rule on new objects under the prefix starting the scheduled input', () => {
    triggered.template('storage').hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
    });
    const pipeline = triggered.template('pipeline');
    const rules = Object.values(pipeline.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    const rule = rules[0]!.Properties as {
      EventPattern: { detail: { object: { key: unknown } } };
      Targets: { Arn: unknown; InputTransformer: { InputTemplate: string } }[];
    };
    expect(rule.EventPattern).toMatchObject({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
    });
    expect(rule.EventPattern.detail.object.key).toEqual([{ wildcard: 'surveillance/nhsn/*.csv' }]);
    expect(rule.Targets[0]!.Arn).toEqual({ Ref: expect.stringMatching(/^StateMachine/) });
    const template = rule.Targets[0]!.InputTransformer.InputTemplate;
    expect(template).toContain('"expId":"flu/2026"');
    expect(template).toContain('"referenceDate":"auto"');
    expect(template).toContain('"source":{"schedule":"flu-weekly","trigger":<detail-object-key>}');
  });

  it('refuses a trigger prefix that would hold the keys runs write', () => {
    for (const prefix of ['flu/', 'flu/2026/', 'data/runs/'])
      expect(dataTriggerSchema.safeParse({ ...TRIGGER, prefix }).success, prefix).toBe(false);
    expect(dataTriggerSchema.parse(TRIGGER)).toMatchObject({
      dirPrefix: '',
      referenceDate: 'auto',
    });
  });
});
