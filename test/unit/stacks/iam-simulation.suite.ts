import { runSimulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
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
  readonly policies: Policy[];
}

function resources(template: Template): [string, Resource][] {
  return Object.entries((template.Resources ?? {}) as Record<string, Resource>);
}

/** The role whose logical id starts with `prefix`, with its inline, managed and attached policies. */
function principal(fixture: SynthFixture, prefix: string): Principal {
  const templates = Object.values(fixture.templates) as Template[];
  const resolver = new IntrinsicResolver(templates);
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
    arn: `arn:aws:iam::${REHEARSAL_ACCOUNT}:role/${roleId}`,
    policies: [...inline, ...managed, ...attached],
  };
}

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

/** IAM's decision for one request: `Allowed`, `ExplicitlyDenied` or `ImplicitlyDenied`. */
async function decide(
  who: Principal,
  action: string,
  resource: string,
  resourcePolicy?: unknown,
): Promise<string> {
  const response = await runSimulation(
    {
      request: {
        principal: who.arn,
        action,
        resource: { resource, accountId: REHEARSAL_ACCOUNT },
        contextVariables: { 'aws:SecureTransport': 'true' },
      },
      identityPolicies: who.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
    },
    {},
  );
  if (response.resultType === 'error')
    throw new Error(`Simulation failed: ${JSON.stringify(response.errors)}`);
  return response.overallResult;
}

/** iamSimulationSuite: evaluates the synthesized roles' policies with a real IAM policy evaluator. */
export function iamSimulationSuite(fixtures: () => Fixtures): void {
  describe('IAM of the synthesized app (evaluated by iam-simulate)', () => {
    let dev: SynthFixture;
    let prod: SynthFixture;
    beforeAll(() => {
      ({ dev, prod } = fixtures());
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
  });
}
