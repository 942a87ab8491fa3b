import { runSimulation } from '@cloud-copilot/iam-simulate';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AWS_CALL_PLACEHOLDERS,
  AWS_CALLS,
  AWS_PRINCIPALS,
  fillAwsCallContext,
  fillAwsCallTemplate,
  placeholdersOf,
  type AwsCall,
  type AwsCallPlaceholder,
  type AwsPrincipal,
} from '../../../lib/contract/aws-calls.js';
import { STACK_OUTPUTS } from '../../../lib/contract/execution.js';
import { RunLayout, runsPrefix, STAGES, type StageName } from '../../../lib/contract/layout.js';
import { RUN_DIRS } from '../../../lib/contract/run-dirs.js';
import { scheduleSnapshotPrefix } from '../../../lib/contract/schedule.js';
import type { DeploymentConfig } from '../../../lib/config/schema.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import {
  IntrinsicResolver,
  REHEARSAL_ACCOUNT,
  rehearsalBucketName,
  type Template,
} from '../../../lib/rehearsal/intrinsics.js';
import { DATA_BUCKET_LOGICAL_ID } from '../../../lib/stacks/storage-stack.js';
import { PROD_ALLOWED_REPOSITORIES, type Fixtures, type SynthFixture } from './support.js';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Policy = { name: string; policy: unknown };

/** A role of the synthesized app as IAM sees it: its ARN and every identity policy attached to it, intrinsics resolved. */
interface Principal {
  readonly arn: string;
  /** The role's name (its logical id, as the resolver names resources). */
  readonly name: string;
  readonly policies: Policy[];
  /** The policies the stacks write (AWS managed policies left out). */
  readonly ownPolicies: Policy[];
}

function resources(template: Template): [string, Resource][] {
  return Object.entries((template.Resources ?? {}) as Record<string, Resource>);
}

/** AWS managed policies the app attaches, as AWS publishes them (the templates hold only their ARNs). */
const AWS_MANAGED_POLICIES: Record<string, unknown> = {
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

/**
 * The ARN a real deployment gives for `Fn::GetAtt [id, Arn]` of the resource
 * types whose ARN the rehearsal resolver only approximates (roles, log groups,
 * repositories): IAM matches the real form.
 */
const REAL_ARNS: Record<string, (id: string) => unknown[]> = {
  'AWS::IAM::Role': (id) => ['arn:aws:iam::', { Ref: 'AWS::AccountId' }, `:role/${id}`],
  'AWS::Logs::LogGroup': (id) => [
    'arn:aws:logs:',
    { Ref: 'AWS::Region' },
    ':',
    { Ref: 'AWS::AccountId' },
    `:log-group:${id}:*`,
  ],
  // the repository's name is its Ref (CloudFormation's generated, lower-case name)
  'AWS::ECR::Repository': (id) => [
    'arn:aws:ecr:',
    { Ref: 'AWS::Region' },
    ':',
    { Ref: 'AWS::AccountId' },
    ':repository/',
    { Ref: id },
  ],
};

/** A template with those `Fn::GetAtt ... Arn` replaced by the real ARN form. */
function withRealArns(template: Template): Template {
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (value === null || typeof value !== 'object') return value;
    const getAtt = (value as Record<string, unknown>)['Fn::GetAtt'];
    if (getAtt !== undefined && Object.keys(value).length === 1) {
      const [id = '', attribute = ''] = Array.isArray(getAtt)
        ? getAtt.map(String)
        : String(getAtt).split('.');
      const real = REAL_ARNS[template.Resources?.[id]?.Type ?? ''];
      if (attribute === 'Arn' && real !== undefined) return { 'Fn::Join': ['', real(id)] };
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, visit(v)]));
  };
  return visit(template) as Template;
}

/** The app's templates, real ARNs in place, and a resolver over them. */
function appTemplates(fixture: SynthFixture): {
  templates: Template[];
  resolver: IntrinsicResolver;
  of: (stack: keyof SynthFixture['stacks']) => Template;
} {
  const byName = Object.fromEntries(
    Object.entries(fixture.templates).map(([name, t]) => [name, withRealArns(t as Template)]),
  );
  const templates = Object.values(byName);
  return {
    templates,
    resolver: new IntrinsicResolver(templates),
    of: (stack) => byName[fixture.stacks[stack].stackName] ?? {},
  };
}

/** The logical ids of the app's roles. */
function roleIds(fixture: SynthFixture): string[] {
  return appTemplates(fixture).templates.flatMap((t) =>
    resources(t)
      .filter(([, r]) => r.Type === 'AWS::IAM::Role')
      .map(([id]) => id),
  );
}

/** Whether the app has a role whose logical id starts with `prefix`. */
const hasRole = (fixture: SynthFixture, prefix: string): boolean =>
  roleIds(fixture).some((id) => id.startsWith(prefix));

/** The policies the stacks write for the role whose logical id starts with `prefix`, and the AWS managed ones it attaches. */
function rolePolicies(
  fixture: SynthFixture,
  prefix: string,
): { roleId: string; ownPolicies: Policy[]; awsManaged: string[] } {
  const { templates, resolver } = appTemplates(fixture);
  const home = templates.find((t) =>
    resources(t).some(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith(prefix)),
  );
  const [roleId, role] =
    resources(home ?? {}).find(([id, r]) => r.Type === 'AWS::IAM::Role' && id.startsWith(prefix)) ??
    [];
  if (home === undefined || roleId === undefined || role === undefined)
    throw new Error(`No role ${prefix}* in the app`);
  const inline = (
    (role.Properties?.Policies ?? []) as { PolicyName: string; PolicyDocument: unknown }[]
  ).map((p) => ({
    name: p.PolicyName,
    policy: resolver.resolve(p.PolicyDocument, home),
  }));
  const managedIds = ((role.Properties?.ManagedPolicyArns ?? []) as unknown[]).map((ref) =>
    String(resolver.resolve(ref, home)),
  );
  const managed = templates.flatMap((t) =>
    resources(t)
      .filter(([id, r]) => r.Type === 'AWS::IAM::ManagedPolicy' && managedIds.includes(id))
      .map(([id, r]) => ({ name: id, policy: resolver.resolve(r.Properties?.PolicyDocument, t) })),
  );
  const attached = resources(home)
    .filter(
      ([, r]) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties?.Roles).includes(`"${roleId}"`),
    )
    .map(([id, r]) => ({ name: id, policy: resolver.resolve(r.Properties?.PolicyDocument, home) }));
  return {
    roleId,
    ownPolicies: [...inline, ...managed, ...attached],
    awsManaged: managedIds.filter((arn) => arn.startsWith('arn:aws:iam::aws:policy/')),
  };
}

/** The role whose logical id starts with `prefix`, with its inline, managed and attached policies. */
function principal(fixture: SynthFixture, prefix: string): Principal {
  const { roleId, ownPolicies, awsManaged } = rolePolicies(fixture, prefix);
  const published = awsManaged.map((arn) => {
    const policy = AWS_MANAGED_POLICIES[arn];
    if (policy === undefined) throw new Error(`${roleId} attaches ${arn}: add its document`);
    return { name: arn, policy };
  });
  return {
    arn: `arn:aws:iam::${REHEARSAL_ACCOUNT}:role/${roleId}`,
    name: roleId,
    policies: [...ownPolicies, ...published],
    ownPolicies,
  };
}

type Statement = { Effect: string; Action: string | string[]; Resource?: string | string[] };

/** The statements of some policies. */
const statementsOf = (policies: Policy[]): Statement[] =>
  policies.flatMap((p) => (p.policy as { Statement: Statement[] }).Statement);

/** The values of a string-or-list policy element. */
const listOf = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const escapeRegExp = (text: string): string => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

/** Whether an IAM action pattern (`*` wildcards, case-insensitive) matches `action`. */
const matchesAction = (pattern: string, action: string): boolean =>
  new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, 'i').test(action);

/** The data bucket's own policy (TLS only), resolved. */
function bucketPolicy(fixture: SynthFixture): unknown {
  const storage = fixture.templates[fixture.stacks.storage.stackName] as Template;
  const found = resources(storage).find(
    ([, r]) =>
      r.Type === 'AWS::S3::BucketPolicy' &&
      JSON.stringify(r.Properties?.Bucket) === JSON.stringify({ Ref: DATA_BUCKET_LOGICAL_ID }),
  );
  return new IntrinsicResolver([storage]).resolve(found?.[1].Properties?.PolicyDocument, storage);
}

/** One request to simulate. */
interface Request {
  readonly action: string;
  readonly resource: string;
  readonly context?: Record<string, string | string[]>;
  readonly resourcePolicy?: unknown;
}

/** IAM's decision for one request, and the context keys the simulator found inapplicable. */
async function simulate(
  who: Principal,
  request: Request,
): Promise<{ decision: string; ignoredContextKeys: string[] }> {
  const response = await runSimulation(
    {
      request: {
        principal: who.arn,
        action: request.action,
        resource: { resource: request.resource, accountId: REHEARSAL_ACCOUNT },
        contextVariables: request.context ?? { 'aws:SecureTransport': 'true' },
      },
      identityPolicies: who.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.resourcePolicy === undefined ? {} : { resourcePolicy: request.resourcePolicy }),
    },
    {},
  );
  if (response.resultType === 'error')
    throw new Error(
      `Simulation of ${request.action} on ${request.resource} failed: ${JSON.stringify(response.errors)}`,
    );
  const ignored =
    response.resultType === 'single'
      ? (response.result.ignoredContextKeys ?? [])
      : response.results.flatMap((r) => r.ignoredContextKeys ?? []);
  return { decision: response.overallResult, ignoredContextKeys: ignored };
}

/** IAM's decision for one request: `Allowed`, `ExplicitlyDenied` or `ImplicitlyDenied`. */
async function decide(
  who: Principal,
  action: string,
  resource: string,
  resourcePolicy?: unknown,
): Promise<string> {
  return (await simulate(who, { action, resource, resourcePolicy })).decision;
}

type RolePrincipal = Exclude<AwsPrincipal, 'caller'>;

/** The deployment's roles, by table principal: the prefix of their logical ids. */
const ROLE_PREFIXES: Record<RolePrincipal, string> = {
  stateMachine: 'StateMachineRole',
  prepareRun: 'PrepareRunServiceRole',
  planStageB: 'PlanStageBServiceRole',
  jobRole: 'JobRole',
  executionRole: 'ExecutionRole',
  scheduler: 'SchedulesRole',
  // CDK's events role of the state machine (targets.SfnStateMachine), made for the first trigger
  dataTrigger: 'StateMachineEventsRole',
  notifyRun: 'NotifyRunFunctionServiceRole',
};

/** The roles a deployment has only when its config asks for them; every other role is always there. */
const OPTIONAL_ROLES: Partial<Record<RolePrincipal, (config: DeploymentConfig) => boolean>> = {
  dataTrigger: (config) => config.dataTriggers.length > 0,
  notifyRun: ({ notifications }) =>
    notifications.webhookSecret !== undefined || notifications.slackWebhookSecret !== undefined,
};

/** Whether the deployment has the role of `who` (a missing role that is not optional is an error later). */
const deployed = (fixture: SynthFixture, who: RolePrincipal): boolean =>
  OPTIONAL_ROLES[who]?.(fixture.config) ?? true;

const simulated = (call: AwsCall): call is AwsCall & { principal: RolePrincipal } =>
  call.principal !== 'caller';

type Values = Partial<Record<AwsCallPlaceholder, string>>;

/** A sample run: the same one the other cases of this suite use. */
const RUN = new RunLayout('flu/a', 'r1', 'team/');

/** A sample schedule of the sample run's experiment. */
const SCHEDULE = 'flu-weekly';

/** The only resource of `type` in `template` whose logical id starts with `prefix`. */
function logicalId(template: Template, type: string, prefix = ''): string {
  const found = resources(template).filter(([id, r]) => r.Type === type && id.startsWith(prefix));
  if (found.length !== 1 || found[0] === undefined)
    throw new Error(`Expected one ${type} ${prefix}*, found ${found.length}`);
  return found[0][0];
}

/** The placeholders of the table filled from a synthesized deployment, per stage. */
function placeholderValues(fixture: SynthFixture): (stage: StageName) => Values {
  const { templates, resolver, of } = appTemplates(fixture);
  const compute = of('compute');
  const pipeline = of('pipeline');
  const region = resolver.resolveString({ Ref: 'AWS::Region' }, pipeline);
  const account = resolver.resolveString({ Ref: 'AWS::AccountId' }, pipeline);
  const outputOf = (template: Template, id: string): string =>
    resolver.resolveString(
      (template as { Outputs?: Record<string, { Value: unknown }> }).Outputs?.[id]?.Value,
      template,
    );
  const jobQueue = outputOf(compute, 'JobQueueArn').split('job-queue/')[1] ?? '';
  const stateMachine = outputOf(pipeline, 'StateMachineArn').split('stateMachine:')[1] ?? '';
  const repositoryUri = outputOf(compute, 'RepositoryUri');
  const definitionNames = Object.fromEntries(
    templates.flatMap((t) =>
      resources(t)
        .filter(([, r]) => r.Type === 'AWS::Batch::JobDefinition')
        .map(([, r]) => {
          const name = resolver.resolveString(r.Properties?.JobDefinitionName, t);
          return [STAGES.find((s) => name.endsWith(`-${s}`)) ?? name, name];
        }),
    ),
  );
  const functionLogGroup = (prefix: string, template = pipeline): string => {
    const id = logicalId(template, 'AWS::Lambda::Function', prefix);
    const logging = template.Resources?.[id]?.Properties?.LoggingConfig as { LogGroup: unknown };
    return resolver.resolveString(logging.LogGroup, template);
  };
  const monitoring = of('monitoring');
  const notifyFunction = resources(monitoring).some(([id]) => id.startsWith('NotifyRunFunction'));
  const common: Values = {
    region,
    account,
    bucket: outputOf(of('storage'), 'BucketName'),
    runsPrefix: runsPrefix(RUN.expId, RUN.dirPrefix),
    runPrefix: RUN.prefix,
    keyInRun: `${RUN_DIRS.outputs}/20260101-000000/index.json`,
    file: 'part_00003.json.gz',
    stamp: '20260101-000000',
    jobQueue,
    revision: '7',
    jobId: '6f1c8a52-3b0e-4f5d-9a27-0c4b8e1d2f36:4',
    stateMachine,
    execution: 'flu-a--r1',
    prepareFunction: logicalId(pipeline, 'AWS::Lambda::Function', 'PrepareRun'),
    planFunction: logicalId(pipeline, 'AWS::Lambda::Function', 'PlanStageB'),
    prepareLogGroup: functionLogGroup('PrepareRun'),
    planLogGroup: functionLogGroup('PlanStageB'),
    lambdaLogStream: '2026/01/01/[$LATEST]0123456789abcdef0123456789abcdef',
    jobLogGroup: outputOf(compute, 'LogGroupName'),
    ecsTaskId: '0123456789abcdef0123456789abcdef',
    jobRole: logicalId(compute, 'AWS::IAM::Role', ROLE_PREFIXES.jobRole),
    executionRole: logicalId(compute, 'AWS::IAM::Role', ROLE_PREFIXES.executionRole),
    repository: repositoryUri.split('/').slice(1).join('/'),
    image: `${repositoryUri}@sha256:${'2'.repeat(64)}`,
    expId: RUN.expId,
    runId: RUN.runId,
    profile: fixture.config.name,
    billingProject: fixture.config.billingProject,
    environment: fixture.config.name,
    schedule: SCHEDULE,
    scheduleGroup: outputOf(pipeline, STACK_OUTPUTS.scheduleGroupName),
    schedulerRole: outputOf(pipeline, STACK_OUTPUTS.schedulerRoleArn).split(':role/')[1] ?? '',
    scheduleSnapshot: scheduleSnapshotPrefix(RUN.expId, SCHEDULE, RUN.dirPrefix),
    ...(notifyFunction
      ? { notifyLogGroup: functionLogGroup('NotifyRunFunction', monitoring) }
      : {}),
    ...(fixture.config.notifications.secretsKmsKeyArn === undefined
      ? {}
      : { notifyKey: fixture.config.notifications.secretsKmsKeyArn }),
  };
  return (stage) => {
    const jobDefinition = definitionNames[stage];
    if (jobDefinition === undefined)
      throw new Error(`No job definition for ${stage} in ${JSON.stringify(definitionNames)}`);
    return { ...common, stage, jobDefinition };
  };
}

/** The stages a row is simulated for: each one when it names a stage, else one. */
const stagesOf = (call: AwsCall): readonly StageName[] =>
  JSON.stringify(call).includes('{stage}') || JSON.stringify(call).includes('{jobDefinition}')
    ? STAGES
    : ['builder'];

/** The webhook secrets of the config, each by the ARN Secrets Manager gives it (a name gets 6 characters). */
function notifySecrets(fixture: SynthFixture, values: Values): string[] {
  const { webhookSecret, slackWebhookSecret } = fixture.config.notifications;
  return [webhookSecret, slackWebhookSecret]
    .filter((id) => id !== undefined)
    .map((id) =>
      id.startsWith('arn:')
        ? id
        : `arn:aws:secretsmanager:${values.region}:${values.account}:secret:${id}-AbC123`,
    );
}

/** One simulation of a row: its placeholder values, and what to call them in a failure. */
interface Variant {
  readonly tag: string;
  readonly values: Values;
}

/**
 * The placeholder values a row is simulated with: each stage it names, each
 * webhook secret it names; none when it names a KMS key the config does not set.
 */
function variantsOf(call: AwsCall, fixture: SynthFixture): Variant[] {
  const valuesFor = placeholderValues(fixture);
  const text = JSON.stringify(call);
  return stagesOf(call).flatMap((stage): Variant[] => {
    const values = valuesFor(stage);
    if (text.includes('{notifyKey}') && values.notifyKey === undefined) return [];
    if (!text.includes('{notifySecret}')) return [{ tag: stage, values }];
    return notifySecrets(fixture, values).map((notifySecret) => ({
      tag: `${stage}, ${notifySecret}`,
      values: { ...values, notifySecret },
    }));
  });
}

/**
 * The key policy of a customer managed KMS key as AWS creates it by default:
 * the account's IAM policies decide (a key policy must allow, as the simulator knows).
 */
const DEFAULT_KEY_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${REHEARSAL_ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    },
  ],
};

/** A row's request with the placeholders filled, and the policy of the resource (bucket or key). */
function requestOf(call: AwsCall, values: Values, bucketPolicy: unknown): Request {
  const resource = fillAwsCallTemplate(call.resource, values);
  const resourcePolicy = resource.startsWith(`arn:aws:s3:::${values.bucket}`)
    ? bucketPolicy
    : resource.startsWith('arn:aws:kms:')
      ? DEFAULT_KEY_POLICY
      : undefined;
  return {
    action: call.action,
    resource,
    context: fillAwsCallContext(call.context ?? {}, values),
    ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
  };
}

const label = (call: AwsCall, tag: string): string =>
  `${call.principal} ${call.action} ${call.resource} (${call.api}, ${tag})`;

/** Placeholder values that name something the deployment does not own: each must be refused. */
const FOREIGN: Values = {
  bucket: 'another-bucket',
  jobQueue: 'AnotherQueue',
  jobDefinition: 'another-definition',
  prepareFunction: 'AnotherFunction',
  planFunction: 'AnotherFunction',
  jobRole: 'AnotherRole',
  executionRole: 'AnotherRole',
  repository: 'another-repository',
  jobLogGroup: 'AnotherLogGroup',
  stateMachine: 'AnotherStateMachine',
  scheduleSnapshot: `${RUN.prefix}${RUN_DIRS.experiment}/`,
  notifySecret: `arn:aws:secretsmanager:us-east-1:${REHEARSAL_ACCOUNT}:secret:another-AbC123`,
  notifyKey: `arn:aws:kms:us-east-1:${REHEARSAL_ACCOUNT}:key/00000000-0000-0000-0000-000000000000`,
};

/** The SDK operations a source file calls: `new XCommand(`, `paginateX(`, `new Upload(`. */
function sdkOperations(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [
    ...[...text.matchAll(/new (\w+)Command\(/g)].map((m) => m[1] ?? ''),
    ...[...text.matchAll(/\bpaginate(\w+)\(/g)].map((m) => m[1] ?? ''),
    ...(/new Upload\(/.test(text) ? ['Upload'] : []),
  ];
}

/** Every `.ts` file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The stack suites' deployments, and one with every optional role (test/unit/stacks/all-features-fixture.ts). */
export type IamFixtures = Fixtures & { readonly allFeatures: SynthFixture };

/** iamSimulationSuite: evaluates the synthesized roles' policies with a real IAM policy evaluator. */
export function iamSimulationSuite(fixtures: () => IamFixtures): void {
  describe('IAM of the synthesized app (evaluated by iam-simulate)', () => {
    let dev: SynthFixture;
    let prod: SynthFixture;
    let ec2: SynthFixture;
    let allFeatures: SynthFixture;
    beforeAll(() => {
      ({ dev, prod, ec2, allFeatures } = fixtures());
    });

    const bucket = `arn:aws:s3:::${rehearsalBucketName(DATA_BUCKET_LOGICAL_ID)}`;
    const run = new RunLayout('flu/a', 'r1', 'team/');

    it('lets the stage containers delete only under a run output folder, and never an experiment snapshot', async () => {
      const job = principal(dev, 'JobRole');
      const policy = bucketPolicy(dev);
      const del = (key: string) => decide(job, 's3:DeleteObject', `${bucket}/${key}`, policy);
      expect(await del(`${run.outputDir('20260101-000000')}quantiles_compartments.csv`)).toBe(
        'Allowed',
      );
      expect(await del(run.experimentFile('config/model.yaml'))).not.toBe('Allowed');
      expect(await del(run.experimentFile('outputs/cases.csv'))).toBe('ExplicitlyDenied');
      expect(await del(run.result(0))).not.toBe('Allowed');
      expect(await del(run.input(0))).not.toBe('Allowed');
      expect(await del(run.manifest)).not.toBe('Allowed');
      expect(await del(run.summary('runner', 0))).not.toBe('Allowed');
      expect(await del('some/other/prefix/file.csv')).not.toBe('Allowed');
      expect(
        await decide(
          job,
          's3:DeleteObject',
          `arn:aws:s3:::another-bucket/${run.outputDir('20260101-000000')}x.csv`,
        ),
      ).not.toBe('Allowed');
    });

    it('still lets the stage containers read, write and tag any key of the data bucket', async () => {
      const job = principal(dev, 'JobRole');
      const policy = bucketPolicy(dev);
      for (const action of ['s3:GetObject', 's3:PutObject', 's3:PutObjectTagging'])
        expect(await decide(job, action, `${bucket}/${run.result(3)}`, policy), action).toBe(
          'Allowed',
        );
      expect(await decide(job, 's3:ListBucket', bucket, policy)).toBe('Allowed');
    });

    it('lets jobs pull images from the allowed private ECR repositories and no other', async () => {
      const execution = principal(prod, 'ExecutionRole');
      const models = PROD_ALLOWED_REPOSITORIES[1];
      const [account, , , region] = models.split(/[./]/);
      const repo = (name: string) => `arn:aws:ecr:${region}:${account}:repository/${name}`;
      expect(await decide(execution, 'ecr:BatchGetImage', repo('models'))).toBe('Allowed');
      expect(await decide(execution, 'ecr:GetDownloadUrlForLayer', repo('models'))).toBe('Allowed');
      expect(await decide(execution, 'ecr:BatchGetImage', repo('someone-elses'))).toBe(
        'ImplicitlyDenied',
      );
      expect(
        await decide(principal(dev, 'ExecutionRole'), 'ecr:BatchGetImage', repo('models')),
      ).toBe('ImplicitlyDenied');
    });
    describe('every AWS call of lib/contract/aws-calls.ts', () => {
      const roleCalls = AWS_CALLS.filter(simulated);
      const deployments = () => ({ dev, prod, ec2, allFeatures });

      it('lists every SDK operation the lambdas, the storage driver and the CLI call', () => {
        const files = [
          ...sourceFiles(join(PROJECT_ROOT, 'lambdas')),
          ...sourceFiles(join(PROJECT_ROOT, 'lib', 'cloud')),
          ...sourceFiles(join(PROJECT_ROOT, 'lib', 'schedule')),
          ...sourceFiles(join(PROJECT_ROOT, 'lib', 'notify')),
          join(PROJECT_ROOT, 'lib', 'storage', 's3.ts'),
        ];
        const listed = new Set(AWS_CALLS.map((c) => c.api));
        const missing = files.flatMap((file) =>
          sdkOperations(file)
            .filter((op) => !listed.has(op))
            .map((op) => `${op} (${file})`),
        );
        expect(missing).toEqual([]);
        expect(roleCalls.length).toBeGreaterThan(0);
      });

      it('fills only known placeholders and sets no condition key it calls unset', () => {
        for (const call of AWS_CALLS) {
          const placeholders = placeholdersOf(JSON.stringify([call.resource, call.context ?? {}]));
          expect(
            placeholders.filter((p) => !(p in AWS_CALL_PLACEHOLDERS)),
            call.resource,
          ).toEqual([]);
          for (const key of call.unset ?? [])
            expect(Object.keys(call.context ?? {})).not.toContain(key);
          expect(Object.keys(AWS_PRINCIPALS)).toContain(call.principal);
        }
      });

      it('names the run record where lib/contract lays it out', () => {
        const values = placeholderValues(dev)('builder');
        const objects = AWS_CALLS.filter(
          (c) => c.principal === 'caller' && c.action === 's3:PutObject',
        );
        const key = (template: string) => fillAwsCallTemplate(template, values);
        expect(objects.map((c) => key(c.resource))).toContain(
          key(`arn:aws:s3:::{bucket}/${RUN.runRecord}`),
        );
      });

      it("leaves the CLI to the caller's own credentials: no CLI user, group or policy; only the schedules start runs", () => {
        for (const [name, fixture] of Object.entries(deployments())) {
          for (const template of appTemplates(fixture).templates) {
            const types = resources(template).map(([, r]) => r.Type);
            expect(types).not.toContain('AWS::IAM::User');
            expect(types).not.toContain('AWS::IAM::Group');
            expect(types).not.toContain('AWS::IAM::AccessKey');
            for (const [id, r] of resources(template)) {
              if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy')
                expect([r.Properties?.Users, r.Properties?.Groups], id).toEqual([
                  undefined,
                  undefined,
                ]);
              if (r.Type !== 'AWS::IAM::Role') continue;
              // every role is one an AWS service assumes: none for a person or an account
              const trust = r.Properties?.AssumeRolePolicyDocument as {
                Statement: { Principal: Record<string, unknown> }[];
              };
              const principals = trust.Statement.flatMap((st) => Object.keys(st.Principal));
              expect(principals, `${id} in ${name}`).toEqual(principals.map(() => 'Service'));
            }
          }
          // states:StartExecution: the schedules' roles alone, on the state machine alone
          const values = placeholderValues(fixture)('builder');
          const starters = roleIds(fixture).flatMap((id) => {
            const starts = statementsOf(rolePolicies(fixture, id).ownPolicies).filter(
              (st) =>
                st.Effect === 'Allow' &&
                listOf(st.Action).some((a) => matchesAction(a, 'states:StartExecution')),
            );
            return starts.length === 0 ? [] : [{ id, starts }];
          });
          const expected = (['scheduler', 'dataTrigger'] as const).filter((who) =>
            deployed(fixture, who),
          );
          expect(
            starters
              .map(({ id }) => expected.find((who) => id.startsWith(ROLE_PREFIXES[who])))
              .sort(),
            name,
          ).toEqual([...expected].sort());
          const scheduled = AWS_CALLS.find((c) => c.principal === 'scheduler');
          const stateMachine = fillAwsCallTemplate(scheduled?.resource ?? '', values);
          for (const { id, starts } of starters)
            for (const st of starts) {
              expect(listOf(st.Action), `${id} in ${name}`).toEqual(['states:StartExecution']);
              expect(listOf(st.Resource), `${id} in ${name}`).toEqual([stateMachine]);
            }
        }
      });

      it('has the optional roles exactly where the config asks for them', () => {
        for (const [name, fixture] of Object.entries(deployments()))
          for (const who of Object.keys(OPTIONAL_ROLES) as RolePrincipal[])
            expect(hasRole(fixture, ROLE_PREFIXES[who]), `${who} in ${name}`).toBe(
              deployed(fixture, who),
            );
        for (const who of Object.keys(OPTIONAL_ROLES) as RolePrincipal[])
          expect(deployed(allFeatures, who), `${who} in allFeatures`).toBe(true);
        expect(allFeatures.config.notifications.secretsKmsKeyArn).toBeDefined();
      });

      for (const name of ['dev', 'prod', 'ec2', 'allFeatures'] as const) {
        it(`${name}: allows every call a role of the deployment makes, with its condition context`, async () => {
          const fixture = deployments()[name];
          const policy = bucketPolicy(fixture);
          const failures: string[] = [];
          let simulations = 0;
          for (const call of roleCalls.filter((c) => deployed(fixture, c.principal))) {
            const who = principal(fixture, ROLE_PREFIXES[call.principal]);
            for (const { tag, values } of variantsOf(call, fixture)) {
              const request = requestOf(call, values, policy);
              const { decision, ignoredContextKeys } = await simulate(who, request);
              simulations += 1;
              if (decision !== 'Allowed')
                failures.push(`${label(call, tag)}: ${decision} on ${request.resource}`);
              const given = Object.keys(request.context ?? {}).map((k) => k.toLowerCase());
              const inapplicable = ignoredContextKeys.filter((k) =>
                given.includes(k.toLowerCase()),
              );
              if (inapplicable.length > 0)
                failures.push(`${label(call, tag)}: keys that do not apply: ${inapplicable}`);
            }
          }
          expect(failures).toEqual([]);
          expect(simulations).toBeGreaterThan(50);
        });
      }

      it('names only condition keys that apply to the action and resource, set or unset', async () => {
        const valuesFor = placeholderValues(dev);
        const inapplicable: string[] = [];
        for (const call of roleCalls.filter((c) => (c.unset ?? []).length > 0)) {
          const who = principal(dev, ROLE_PREFIXES[call.principal]);
          const request = requestOf(call, valuesFor('builder'), bucketPolicy(dev));
          const probe = Object.fromEntries((call.unset ?? []).map((k) => [k, 'probe']));
          const { ignoredContextKeys } = await simulate(who, {
            ...request,
            context: { ...request.context, ...probe },
          });
          inapplicable.push(...ignoredContextKeys.map((k) => `${label(call, 'builder')}: ${k}`));
        }
        expect(inapplicable).toEqual([]);
        // The check can fail: a key of another service is reported as not applying.
        const control = await simulate(principal(dev, ROLE_PREFIXES.stateMachine), {
          action: 'batch:DescribeJobs',
          resource: '*',
          context: { 's3:prefix': 'probe' },
        });
        expect(control.ignoredContextKeys.map((k) => k.toLowerCase())).toContain('s3:prefix');
      });

      it('grants the roles no action the table does not list', () => {
        for (const [name, fixture] of Object.entries(deployments())) {
          for (const [who, prefix] of Object.entries(ROLE_PREFIXES)) {
            if (!deployed(fixture, who as RolePrincipal)) continue;
            const listed = new Set(
              AWS_CALLS.filter((c) => c.principal === who).map((c) => c.action),
            );
            const unlisted = statementsOf(principal(fixture, prefix).ownPolicies)
              .filter((st) => st.Effect === 'Allow')
              .flatMap((st) => listOf(st.Action))
              .filter((action) => !listed.has(action));
            expect(unlisted, `${who} in ${name}`).toEqual([]);
          }
        }
      });

      it('refuses the same calls on another bucket, queue, job definition, function, role, repository, log group, state machine, snapshot, secret or key', async () => {
        const allowed: string[] = [];
        let checked = 0;
        for (const [name, fixture] of Object.entries({ dev, allFeatures })) {
          for (const call of roleCalls.filter((c) => deployed(fixture, c.principal))) {
            const foreign = placeholdersOf(call.resource).filter((p) => p in FOREIGN);
            if (foreign.length === 0) continue;
            const who = principal(fixture, ROLE_PREFIXES[call.principal]);
            for (const { tag, values } of variantsOf(call, fixture))
              for (const placeholder of foreign) {
                const other = {
                  ...values,
                  [placeholder]: FOREIGN[placeholder as AwsCallPlaceholder],
                };
                const { decision } = await simulate(who, requestOf(call, other, undefined));
                checked += 1;
                if (decision === 'Allowed')
                  allowed.push(`${label(call, tag)} with ${placeholder} in ${name}`);
              }
          }
        }
        expect(allowed).toEqual([]);
        expect(checked).toBeGreaterThan(40);
      });

      it('lets the stage containers delete only in output folders, and PlanStageB read only manifests', async () => {
        const values = placeholderValues(dev)('output');
        const policy = bucketPolicy(dev);
        const job = principal(dev, ROLE_PREFIXES.jobRole);
        const plan = principal(dev, ROLE_PREFIXES.planStageB);
        const key = (dir: string) =>
          fillAwsCallTemplate(`arn:aws:s3:::{bucket}/{runPrefix}${dir}/{file}`, values);
        for (const dir of Object.values(RUN_DIRS)) {
          const deleted = await decide(job, 's3:DeleteObject', key(dir), policy);
          if (dir === RUN_DIRS.outputs) expect(deleted, dir).toBe('Allowed');
          else if (dir === RUN_DIRS.experiment) expect(deleted, dir).toBe('ExplicitlyDenied');
          else expect(deleted, dir).toBe('ImplicitlyDenied');
          expect(await decide(plan, 's3:GetObject', key(dir), policy), dir).toBe(
            'ImplicitlyDenied',
          );
          expect(await decide(plan, 's3:PutObject', key(dir), policy), dir).toBe(
            'ImplicitlyDenied',
          );
        }
      });

      it("copies into an image-override revision exactly the job definitions' tags, none of them aws:", () => {
        const register = AWS_CALLS.find(
          (c) => c.principal === 'prepareRun' && c.action === 'batch:RegisterJobDefinition',
        );
        const tagKeys = [...((register?.context?.['aws:TagKeys'] as string[] | undefined) ?? [])];
        const templates = appTemplates(dev);
        const definitions = (['compute', 'pipeline'] as const)
          .flatMap((stack) => resources(templates.of(stack)))
          .filter(([, r]) => r.Type === 'AWS::Batch::JobDefinition');
        expect(definitions).toHaveLength(3); // one per stage, wherever the app defines them
        for (const [, r] of definitions) {
          const tags = Object.keys((r.Properties?.Tags ?? {}) as Record<string, string>);
          expect(tags.sort()).toEqual(tagKeys.sort());
          expect(tags.filter((k) => k.startsWith('aws:'))).toEqual([]);
        }
      });
    });
  });
}
