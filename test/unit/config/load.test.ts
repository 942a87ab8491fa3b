import { describe, expect, it } from 'vitest';
import { fargateResourcesProblem } from '../../../lib/contract/fargate.js';
import { loadDeploymentConfig, mergeConfig } from '../../../lib/config/load.js';
import { ConfigError, TRANSIENT_EXIT_CODE } from '../../../lib/errors.js';

const context = (values: Record<string, unknown>) => (key: string) => values[key];

function problemsOf(values: Record<string, unknown>): string[] {
  try {
    loadDeploymentConfig(context(values));
  } catch (error) {
    if (error instanceof ConfigError) return [error.message, ...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadDeploymentConfig', () => {
  it('defaults to dev: destroyable, 30-day logs, Fargate Spot, endpoints, repository image', () => {
    const config = loadDeploymentConfig(context({}));
    expect(config).toMatchObject({
      name: 'dev',
      stackPrefix: 'Epycloud-dev',
      removalPolicy: 'destroy',
      logRetentionDays: 30,
      network: { mode: 'endpoints', maxAzs: 2 },
      compute: { type: 'fargate-spot', maxvCpus: 256 },
      image: { source: 'repository', tag: 'latest' },
      retry: { attempts: 3, transientExitCodes: [6] },
    });
  });

  it('retains data in prod and merges settings over the built-in defaults', () => {
    const config = loadDeploymentConfig(
      context({
        'epycloud:env': 'prod',
        'epycloud:environments': {
          prod: {
            stages: { runner: { vcpus: 2, memoryMiB: 8192, timeoutMinutes: 30 } },
            notificationEmail: 'ops@example.org',
          },
        },
      }),
    );
    expect(config).toMatchObject({
      name: 'prod',
      removalPolicy: 'retain',
      logRetentionDays: 365,
      notificationEmail: 'ops@example.org',
    });
    expect(config.stages.runner).toEqual({ vcpus: 2, memoryMiB: 8192, timeoutMinutes: 30 });
    expect(config.stages.builder).toEqual({ vcpus: 1, memoryMiB: 2048, timeoutMinutes: 60 });
  });

  it('accepts a declared custom environment', () => {
    const config = loadDeploymentConfig(
      context({
        'epycloud:env': 'lab',
        'epycloud:environments': { lab: { removalPolicy: 'retain', logRetentionDays: 90 } },
      }),
    );
    expect(config).toMatchObject({
      name: 'lab',
      stackPrefix: 'Epycloud-lab',
      removalPolicy: 'retain',
    });
  });

  it('names an unknown environment and the context key', () => {
    expect(problemsOf({ 'epycloud:env': 'staging' })[0]).toBe(
      'Unknown environment "staging" (CDK context epycloud:env): expected one of dev, prod, or declare it under epycloud:environments',
    );
  });

  it('reports every problem at once, each with its context path', () => {
    const problems = problemsOf({
      'epycloud:environments': {
        dev: {
          stages: { runner: { vcpus: 1, memoryMiB: 1000, timeoutMinutes: 10 } },
          logRetentionDays: 31,
          network: { mode: 'vpn' },
          surprise: 1,
        },
      },
    });
    expect(problems[0]).toMatch(/^Invalid CDK context for environment "dev"\n {2}- /);
    const text = problems.join('\n');
    expect(text).toContain('epycloud:environments.dev.logRetentionDays');
    expect(text).toContain('epycloud:environments.dev.network.mode');
    expect(text).toContain('surprise');
    expect(problems.length).toBeGreaterThanOrEqual(4);
  });

  it('checks Fargate sizes per stage, naming the stage', () => {
    const problems = problemsOf({
      'epycloud:environments': {
        dev: { stages: { output: { vcpus: 1, memoryMiB: 1024, timeoutMinutes: 10 } } },
      },
    });
    expect(problems).toContain(
      'epycloud:environments.dev.stages.output: Fargate with 1 vCPU takes 2048..8192 MiB in steps of 1024, got 1024 MiB',
    );
  });

  it('allows any size on EC2 compute, requires a uri for image.source uri, caps transient exit codes', () => {
    expect(() =>
      loadDeploymentConfig(
        context({
          'epycloud:environments': {
            dev: {
              compute: { type: 'ec2' },
              stages: { runner: { vcpus: 3, memoryMiB: 100_000, timeoutMinutes: 60 } },
            },
          },
        }),
      ),
    ).not.toThrow();
    expect(
      problemsOf({ 'epycloud:environments': { dev: { image: { source: 'uri' } } } }),
    ).toContain('epycloud:environments.dev.image.uri: required when image.source is "uri"');
    expect(
      problemsOf({
        'epycloud:environments': { dev: { retry: { transientExitCodes: [1, 2, 3] } } },
      }).join('\n'),
    ).toContain('at most 2 codes');
  });

  it('requires the transient exit code among the retried ones, so throttling and timeouts are retried', () => {
    expect(
      problemsOf({ 'epycloud:environments': { dev: { retry: { transientExitCodes: [75] } } } }),
    ).toContain(
      `epycloud:environments.dev.retry.transientExitCodes: must include ${TRANSIENT_EXIT_CODE}, the exit code of throttling and timeouts (S3 503 SlowDown, a stalled request): without it one throttled task fails a whole run`,
    );
    expect(loadDeploymentConfig(context({})).retry.transientExitCodes).toEqual([
      TRANSIENT_EXIT_CODE,
    ]);
  });

  it("allows no image repository but the stack's own unless listed, and checks the listed ones", () => {
    expect(loadDeploymentConfig(context({})).image.allowedRepositories).toEqual([]);
    const allowed = [
      'public.ecr.aws/acme/epycloud',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/models',
    ];
    const config = loadDeploymentConfig(
      context({ 'epycloud:environments': { dev: { image: { allowedRepositories: allowed } } } }),
    );
    expect(config.image).toMatchObject({
      source: 'repository',
      tag: 'latest',
      allowedRepositories: allowed,
    });
    expect(
      problemsOf({
        'epycloud:environments': {
          dev: { image: { allowedRepositories: ['public.ecr.aws/acme/epycloud:1.2'] } },
        },
      }),
    ).toContain(
      'epycloud:environments.dev.image.allowedRepositories.0: expected an image repository without tag or digest, such as public.ecr.aws/acme/epycloud',
    );
  });

  it('parses the environments map given as JSON text (cdk -c)', () => {
    const config = loadDeploymentConfig(
      context({ 'epycloud:environments': '{"dev":{"compute":{"maxvCpus":16}}}' }),
    );
    expect(config.compute.maxvCpus).toBe(16);
    expect(problemsOf({ 'epycloud:environments': '{"dev":' })[0]).toMatch(
      /epycloud:environments: not valid JSON/,
    );
  });

  it('rejects a non-object environments map and a non-string env', () => {
    expect(problemsOf({ 'epycloud:environments': [] })[0]).toMatch(
      /epycloud:environments: expected an object/,
    );
    expect(problemsOf({ 'epycloud:env': 3 })[0]).toMatch(
      /epycloud:env: expected an environment name, got 3/,
    );
  });
});

describe('fargateResourcesProblem', () => {
  it.each([
    [0.25, 512, true],
    [0.25, 1536, false],
    [0.5, 3072, true],
    [4, 30_720, true],
    [8, 20_480, true],
    [8, 18_432, false],
    [3, 8192, false],
  ])('%s vCPU with %s MiB valid: %s', (vcpus, memory, valid) => {
    expect(fargateResourcesProblem(vcpus, memory) === undefined).toBe(valid);
  });
});

describe('mergeConfig', () => {
  it('merges nested objects and replaces arrays', () => {
    expect(mergeConfig({ a: { b: 1, c: [1, 2] } }, { a: { c: [3] } })).toEqual({
      a: { b: 1, c: [3] },
    });
  });
});
