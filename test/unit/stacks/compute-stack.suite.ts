import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { STACK_OUTPUTS } from '../../../lib/contract/execution.js';
import { StorageError, TransientError } from '../../../lib/errors.js';
import { shouldRetry, type RetryStrategy } from '../../../lib/rehearsal/batch-rules.js';
import {
  FARGATE_SPOT_INTERRUPTED,
  stageCommand,
} from '../../../lib/constructs/stage-job-definitions.js';
import { DOCKERFILE, REPOSITORY_LOGICAL_ID } from '../../../lib/stacks/compute-stack.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourcesOf, type Fixtures, type SynthFixture } from './support.js';

type Env = { Name: string; Value: unknown };
type JobDefinition = {
  Properties: {
    JobDefinitionName: string;
    ContainerProperties: {
      Command: string[];
      ResourceRequirements: unknown[];
      NetworkConfiguration?: unknown;
      Environment: Env[];
      Image: unknown;
      RuntimePlatform?: unknown;
    };
    Timeout?: unknown;
    PropagateTags?: boolean;
    PlatformCapabilities?: string[];
    RetryStrategy?: unknown;
  };
};
type Queue = {
  Properties: {
    ComputeEnvironmentOrder: {
      Order: number;
      ComputeEnvironment: { 'Fn::GetAtt': [string, string] };
    }[];
  };
};
type Resource = { Properties: Record<string, unknown> };

/** computeStackSuite: registers its tests; `fixtures` is set by the caller's beforeAll. */
export function computeStackSuite(fixtures: () => Fixtures): void {
  describe('ComputeStack', () => {
    let dev: SynthFixture;
    let variant: SynthFixture;
    beforeAll(() => {
      ({ dev, ec2: variant } = fixtures());
    });

    // Wherever the app keeps them: the tests assert what Batch gets, not which stack holds it.
    const jobDefinitions = (f: SynthFixture) =>
      resourcesOf(f, 'AWS::Batch::JobDefinition') as unknown as JobDefinition[];
    const byName = (f: SynthFixture, suffix: string) =>
      jobDefinitions(f).find((d) =>
        d.Properties.JobDefinitionName.endsWith(suffix),
      ) as JobDefinition;

    it('queues on Fargate Spot first, Fargate on-demand second', () => {
      const template = dev.template('compute');
      const envs = template.findResources('AWS::Batch::ComputeEnvironment');
      const typeOf = (id: string) =>
        (envs[id] as { Properties: { ComputeResources: { Type: string } } }).Properties
          .ComputeResources.Type;
      const queue = Object.values(template.findResources('AWS::Batch::JobQueue'))[0] as Queue;
      const order = queue.Properties.ComputeEnvironmentOrder.map((o) => [
        o.Order,
        typeOf(o.ComputeEnvironment['Fn::GetAtt'][0]),
      ]);
      expect(order).toEqual([
        [1, 'FARGATE_SPOT'],
        [2, 'FARGATE'],
      ]);
    });

    it('runs tasks without public IPs in subnets with no internet route (endpoints mode)', () => {
      const template = dev.template('compute');
      template.resourceCountIs('AWS::EC2::InternetGateway', 0);
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet')) as Resource[])
        expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      for (const definition of jobDefinitions(dev))
        expect(definition.Properties.ContainerProperties.NetworkConfiguration).toEqual({
          AssignPublicIp: 'DISABLED',
        });
    });

    it('reaches S3 through a gateway endpoint and ECR and Logs through interface endpoints', () => {
      const endpoints = Object.values(
        dev.template('compute').findResources('AWS::EC2::VPCEndpoint'),
      ) as Resource[];
      const services = endpoints.map(
        (e) =>
          [String(e.Properties.VpcEndpointType), JSON.stringify(e.Properties.ServiceName)] as const,
      );
      expect(services.filter(([type]) => type === 'Gateway').map(([, s]) => s)).toEqual([
        expect.stringContaining('.s3'),
      ]);
      const interfaces = services.filter(([type]) => type === 'Interface').map(([, s]) => s);
      for (const name of ['ecr.api', 'ecr.dkr', 'logs'])
        expect(interfaces.some((s) => s.includes(name))).toBe(true);
    });

    it('lets tasks send HTTPS only', () => {
      dev.template('compute').hasResourceProperties('AWS::EC2::SecurityGroup', {
        GroupDescription: 'epycloud Batch tasks: HTTPS out only',
        SecurityGroupEgress: [
          Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: '0.0.0.0/0' }),
        ],
      });
    });

    it('defines one job per stage with its command, size and timeout from config', () => {
      const runner = byName(dev, '-runner');
      expect(runner.Properties.ContainerProperties.Command).toEqual(stageCommand('runner'));
      expect(runner.Properties.ContainerProperties.ResourceRequirements).toEqual(
        expect.arrayContaining([
          { Type: 'VCPU', Value: '2' },
          { Type: 'MEMORY', Value: '4096' },
        ]),
      );
      expect(runner.Properties.Timeout).toEqual({ AttemptDurationSeconds: 45 * 60 });
      expect(runner.Properties.PropagateTags).toBe(true);
      expect(runner.Properties.PlatformCapabilities).toEqual(['FARGATE']);
      expect(runner.Properties.ContainerProperties.RuntimePlatform).toEqual({
        CpuArchitecture: 'X86_64',
        OperatingSystemFamily: 'LINUX',
      });
      expect(
        jobDefinitions(dev)
          .map((d) => d.Properties.JobDefinitionName)
          .sort(),
      ).toEqual(['Epycloud-dev-builder', 'Epycloud-dev-output', 'Epycloud-dev-runner']);
      const env = Object.fromEntries(
        runner.Properties.ContainerProperties.Environment.map((e) => [e.Name, e.Value]),
      );
      expect(env.EXECUTION_MODE).toBe('cloud');
      expect(Object.keys(env).some((n) => n.startsWith('AWS_BATCH') || n === 'TASK_INDEX')).toBe(
        false,
      );
    });

    /** How Batch ends an attempt, as DescribeJobs reports it. */
    const ended = (statusReason: string, exitCode = Number.NaN, reason = statusReason) => ({
      exitCode,
      reason,
      statusReason,
    });
    /** Attempts that never ran the stage command: no exit code (NaN matches no exit-code rule). */
    const LAUNCH_FAILURES = [
      ended(
        'CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref',
      ),
      ended(
        'ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed',
      ),
      ended('Task failed to start'),
    ];
    const STAGE_FAILED = ended('Essential container in task exited', 1);
    const OUT_OF_MEMORY = ended(
      'Essential container in task exited',
      137,
      'OutOfMemoryError: Container killed due to memory usage',
    );
    const TIMED_OUT = ended('Job attempt duration exceeded timeout', 137);

    it.each([
      ['dev', 'fargate'],
      ['ec2', 'ec2'],
    ] as const)(
      '%s (%s): retries reclaims, launch failures and the transient codes, in at most 5 rules; exits on its own failures',
      (name, platform) => {
        const fixture = name === 'dev' ? dev : variant;
        for (const definition of jobDefinitions(fixture)) {
          const strategy = definition.Properties.RetryStrategy as RetryStrategy;
          const rules = strategy.EvaluateOnExit ?? [];
          expect(rules.length, 'Batch takes at most 5 evaluateOnExit rules').toBeLessThanOrEqual(5);
          const reasons = rules.map((r) => r.OnStatusReason);
          if (platform === 'ec2') {
            expect(reasons).toContain('Host EC2*');
            expect(reasons).not.toContain(FARGATE_SPOT_INTERRUPTED);
            expect(shouldRetry(strategy, 1, ended('Host EC2 (instance i-0123) terminated.'))).toBe(
              true,
            );
          } else {
            expect(reasons).not.toContain('Host EC2*');
            expect(shouldRetry(strategy, 1, ended('Your Spot Task was interrupted.', 143))).toBe(
              true,
            );
          }
          for (const launch of LAUNCH_FAILURES)
            expect(shouldRetry(strategy, 1, launch), launch.statusReason).toBe(true);
          for (const code of [6, 75])
            expect(
              shouldRetry(strategy, 1, ended('Essential container in task exited', code)),
            ).toBe(true);
          for (const own of [STAGE_FAILED, OUT_OF_MEMORY, TIMED_OUT])
            expect(shouldRetry(strategy, 1, own), own.reason).toBe(false);
          expect(strategy.Attempts).toBe(name === 'dev' ? 4 : 3);
          for (const launch of LAUNCH_FAILURES)
            expect(shouldRetry(strategy, strategy.Attempts ?? 1, launch)).toBe(false);
        }
      },
    );

    it('keeps the revisions a job definition update replaces (runs in flight and redrives submit to them)', () => {
      for (const fixture of [dev, variant]) {
        const definitions = resourcesOf(fixture, 'AWS::Batch::JobDefinition');
        expect(definitions).toHaveLength(3);
        for (const definition of definitions)
          expect(definition.Properties.ResourceRetentionPolicy, definition.id).toEqual({
            SkipDeregisterOnUpdate: true,
          });
      }
    });

    it('retries what a throttled or timed-out S3 request exits with, and not a permanent storage failure', () => {
      const exit = (exitCode: number) => ({
        exitCode,
        reason: 'Essential container in task exited',
        statusReason: 'Essential container in task exited',
      });
      for (const fixture of [dev, variant]) {
        for (const definition of jobDefinitions(fixture)) {
          const strategy = definition.Properties.RetryStrategy as RetryStrategy;
          expect(shouldRetry(strategy, 1, exit(new TransientError('throttled').exitCode))).toBe(
            true,
          );
          expect(shouldRetry(strategy, 1, exit(new StorageError('denied').exitCode))).toBe(false);
        }
      }
    });

    it('uses the repository image by default and a Docker asset when asked (synth needs no Docker)', () => {
      const image = JSON.stringify(byName(dev, '-output').Properties.ContainerProperties.Image);
      expect(image).toContain(':latest');
      const assetImage = JSON.stringify(
        byName(variant, '-output').Properties.ContainerProperties.Image,
      );
      expect(assetImage).toContain('cdk-hnb659fds-container-assets');
    });

    it('stages a Docker build context for linux/amd64 that holds the Dockerfile and only what the bundle needs', () => {
      const assembly = variant.app.synth();
      const images = readdirSync(assembly.directory)
        .filter((file) => file.endsWith('.assets.json'))
        .flatMap((file) =>
          Object.values(
            (
              JSON.parse(readFileSync(join(assembly.directory, file), 'utf8')) as {
                dockerImages?: Record<
                  string,
                  {
                    source: {
                      directory: string;
                      dockerFile?: string;
                      dockerBuildTarget?: string;
                      platform?: string;
                    };
                  }
                >;
              }
            ).dockerImages ?? {},
          ),
        );
      expect(images).toHaveLength(1);
      const image = images[0]?.source;
      expect(image).toMatchObject({
        dockerFile: DOCKERFILE,
        dockerBuildTarget: 'cloud',
        platform: 'linux/amd64',
      });
      const context = join(assembly.directory, image?.directory ?? 'missing');
      expect(existsSync(join(context, DOCKERFILE))).toBe(true);
      expect(existsSync(join(context, 'package-lock.json'))).toBe(true);
      expect(existsSync(join(context, 'node_modules'))).toBe(false);
    });

    it('cancels a job that can never be placed: RUNNABLE for a bounded time with a blocking reason', () => {
      for (const [fixture, capacityMinutes] of [
        [dev, 60],
        [variant, 60],
      ] as const) {
        const queues = resourcesOf(fixture, 'AWS::Batch::JobQueue');
        expect(queues).toHaveLength(1);
        const actions = queues[0]?.Properties.JobStateTimeLimitActions as {
          Action: string;
          State: string;
          Reason: string;
          MaxTimeSeconds: number;
        }[];
        const byReason = Object.fromEntries(actions.map((a) => [a.Reason, a]));
        expect(Object.keys(byReason).sort()).toEqual([
          'CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY',
          'MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE',
          'MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT',
        ]);
        for (const action of actions) {
          expect(action).toMatchObject({ Action: 'CANCEL', State: 'RUNNABLE' });
          // Batch accepts 600..86,400 seconds.
          expect(action.MaxTimeSeconds).toBeGreaterThanOrEqual(600);
          expect(action.MaxTimeSeconds).toBeLessThanOrEqual(86_400);
        }
        expect(byReason['MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT']?.MaxTimeSeconds).toBe(600);
        expect(byReason['MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE']?.MaxTimeSeconds).toBe(
          600,
        );
        expect(byReason['CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY']?.MaxTimeSeconds).toBe(
          capacityMinutes * 60,
        );
      }
    });

    it('names the job queue after the deployment, its logical id equal to its name (never replaced by a refactoring)', () => {
      const [queue] = resourcesOf(dev, 'AWS::Batch::JobQueue');
      expect(queue?.Properties.JobQueueName).toBe('EpycloudDevJobQueue');
      expect(queue?.id).toBe(queue?.Properties.JobQueueName);
      expect(resourcesOf(fixtures().prod, 'AWS::Batch::JobQueue')[0]?.Properties.JobQueueName).toBe(
        'EpycloudProdJobQueue',
      );
    });

    it('offers managed EC2 behind one NAT gateway as an option', () => {
      const template = variant.template('compute');
      template.resourceCountIs('AWS::EC2::NatGateway', 1);
      template.hasResourceProperties('AWS::Batch::ComputeEnvironment', {
        ComputeResources: Match.objectLike({
          Type: 'SPOT',
          AllocationStrategy: 'SPOT_PRICE_CAPACITY_OPTIMIZED',
        }),
      });
      expect(byName(variant, '-runner').Properties.PlatformCapabilities).toEqual(['EC2']);
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    });

    it('keeps the image repository under a fixed logical id, retained and scanned', () => {
      dev.template('compute').templateMatches({
        Resources: {
          [REPOSITORY_LOGICAL_ID]: Match.objectLike({
            Type: 'AWS::ECR::Repository',
            DeletionPolicy: 'Retain',
            Properties: Match.objectLike({ ImageScanningConfiguration: { ScanOnPush: true } }),
          }),
        },
      });
    });

    it('keeps job logs for the configured days and outputs what the CLI reads', () => {
      const template = dev.template('compute');
      template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
      const outputs = Object.values(dev.templates).flatMap((t) =>
        Object.keys((t as { Outputs?: Record<string, unknown> }).Outputs ?? {}),
      );
      for (const id of [
        STACK_OUTPUTS.jobQueueArn,
        STACK_OUTPUTS.logGroupName,
        STACK_OUTPUTS.repositoryUri,
        STACK_OUTPUTS.jobDefinitionBuilder,
        STACK_OUTPUTS.jobDefinitionRunner,
        STACK_OUTPUTS.jobDefinitionOutput,
      ]) {
        expect(
          outputs.filter((o) => o === id),
          id,
        ).toHaveLength(1);
      }
    });
  });
}
