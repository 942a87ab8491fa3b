import { describe, expect, it } from 'vitest';
import {
  prepareRun,
  requestedImage,
  type RegisterImage,
  type ResolveImageDigest,
} from '../../../lambdas/prepare-run/prepare.js';
import { type PrepareConfig } from '../../../lib/contract/lambda-config.js';
import { ConfigError, ValidationError } from '../../../lib/errors.js';

const config: PrepareConfig = {
  bucket: 'data',
  environment: 'prod',
  billingProject: 'default',
  platform: 'fargate',
  repositoryUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/epycloud',
  allowedImageRepositories: ['public.ecr.aws/acme/epycloud'],
  resources: {
    builder: { vcpus: 1, memoryMiB: 2048 },
    runner: { vcpus: 1, memoryMiB: 2048 },
    output: { vcpus: 2, memoryMiB: 4096 },
  },
  jobDefinitions: { builder: 'jd-b:1', runner: 'jd-r:1', output: 'jd-o:1' },
};
const never: RegisterImage = async () => {
  throw new Error('must not register');
};
const noResolve: ResolveImageDigest = async () => {
  throw new Error('must not resolve a tag');
};
const DIGEST = `sha256:${'d'.repeat(64)}`;
/** The stack's repository holds `latest` and `v7`; records every lookup. */
function ecrTags(lookups: string[] = []): ResolveImageDigest {
  const tags: Record<string, string> = { latest: DIGEST, v7: `sha256:${'7'.repeat(64)}` };
  return async (repositoryName, tag) => {
    lookups.push(`${repositoryName}:${tag}`);
    return tags[tag];
  };
}
/** Records the image (and the command, when given) of every revision registered. */
function recorder(registered: string[]): RegisterImage {
  return async (arn, image, command) => {
    registered.push(`${arn}=${image}${command ? ` ${command.join(' ')}` : ''}`);
    return `${arn}+`;
  };
}
const now = () => new Date('2026-11-23T01:02:03Z');

describe('prepareRun', () => {
  it('keeps the given run id and builds Stage A with the contract environment, tags and sizes', async () => {
    const { run, results } = await prepareRun(
      { expId: 'flu/a', runId: 'r1', dirPrefix: 'team/', profile: 'lab' },
      { config, registerImage: never, resolveImageDigest: noResolve },
    );
    expect(run).toMatchObject({
      expId: 'flu/a',
      runId: 'r1',
      prefix: 'team/flu/a/runs/r1/',
      skipOutput: false,
      maxParallelism: null,
      outputConfigFile: null,
      profile: 'lab',
      billingProject: 'default',
    });
    expect(run.jobDefinitions).toEqual(config.jobDefinitions);
    expect(run.builder.jobName).toBe('epycloud-builder-flu-a-r1');
    expect(run.builder.containerOverrides.Environment).toContainEqual({
      Name: 'DIR_PREFIX',
      Value: 'team/',
    });
    expect(run.tags.runner).toMatchObject({
      'epycloud:stage': 'runner',
      'epycloud:profile': 'lab',
    });
    expect(results).toEqual({ builder: null, runner: null, output: null });
  });

  it("gives Stage A's job the reference date and output config file of the input", async () => {
    const input = {
      expId: 'x',
      runId: 'r',
      referenceDate: '2024-12-14',
      outputConfigFile: 'o.yaml',
    };
    const { run } = await prepareRun(input, {
      config,
      registerImage: never,
      resolveImageDigest: noResolve,
    });
    expect(run.outputConfigFile).toBe('o.yaml');
    expect(run.builder.containerOverrides.Environment).toContainEqual({
      Name: 'REFERENCE_DATE',
      Value: '2024-12-14',
    });
    expect(run.builder.containerOverrides.Environment).toContainEqual({
      Name: 'OUTPUT_CONFIG_FILE',
      Value: 'o.yaml',
    });
  });

  it('turns the task cache off for Stages A and B when the input says cache: false (--no-cache)', async () => {
    const deps = { config, registerImage: never, resolveImageDigest: noResolve };
    const off = await prepareRun({ expId: 'x', runId: 'r', cache: false }, deps);
    expect(off.run.cache).toBe(false);
    expect(off.run.builder.containerOverrides.Environment).toContainEqual({
      Name: 'EPYCLOUD_CACHE',
      Value: 'off',
    });
    const on = await prepareRun({ expId: 'x', runId: 'r' }, deps);
    expect(on.run.cache).toBeUndefined();
    expect(on.run.builder.containerOverrides.Environment.map((e) => e.Name)).not.toContain(
      'EPYCLOUD_CACHE',
    );
  });

  it('refuses a reference date that is not a Saturday before anything runs', async () => {
    const error = await prepareRun(
      { expId: 'x', referenceDate: '2024-12-13' },
      { config, registerImage: never, resolveImageDigest: noResolve },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'referenceDate: "2024-12-13": it is a Friday: expected a Saturday (2024-12-07 or 2024-12-14)',
    ]);
  });

  it('generates a run id when none is given', async () => {
    const { run } = await prepareRun(
      { expId: 'x' },
      { config, registerImage: never, resolveImageDigest: noResolve, now },
    );
    expect(run.runId).toMatch(/^20261123-010203-[0-9a-f]{8}$/);
  });

  it('reports every input problem at once, naming the field', async () => {
    const error = await prepareRun(
      { expId: 'x', maxParallelism: 0, skipOutput: 'yes', extra: 1 },
      { config, registerImage: never, resolveImageDigest: noResolve },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const text = (error as ConfigError).problems.join('\n');
    for (const field of ['maxParallelism', 'skipOutput', 'extra']) expect(text).toContain(field);
  });

  it('checks per-stage overrides against Fargate sizes, but not on EC2', async () => {
    const input = { expId: 'x', runId: 'r', stages: { runner: { memoryMiB: 1024 } } };
    await expect(
      prepareRun(input, { config, registerImage: never, resolveImageDigest: noResolve }),
    ).rejects.toThrow('stages.runner: Fargate with 1 vCPU takes 2048..8192 MiB');
    const { run } = await prepareRun(input, {
      config: { ...config, platform: 'ec2' },
      registerImage: never,
      resolveImageDigest: noResolve,
    });
    expect(run.resources.runner).toEqual({ vcpus: 1, memoryMiB: 1024 });
  });

  it('rejects bad ids and bad tag values before registering anything', async () => {
    await expect(
      prepareRun(
        { expId: '../x' },
        { config, registerImage: never, resolveImageDigest: noResolve },
      ),
    ).rejects.toThrow(/Invalid experiment id/);
    await expect(
      prepareRun(
        { expId: 'x', runId: 'a/b' },
        { config, registerImage: never, resolveImageDigest: noResolve },
      ),
    ).rejects.toThrow(/Invalid run id/);
    await expect(
      prepareRun(
        { expId: 'x', billingProject: 'a;b', imageTag: 'v2' },
        { config, registerImage: never, resolveImageDigest: noResolve },
      ),
    ).rejects.toThrow(/epycloud:billing_project/);
  });

  it('pins imageTag to the digest ECR resolves now, registers every revision with it and records it', async () => {
    const lookups: string[] = [];
    const registered: string[] = [];
    const { run } = await prepareRun(
      { expId: 'x', runId: 'r', imageTag: 'latest' },
      { config, registerImage: recorder(registered), resolveImageDigest: ecrTags(lookups) },
    );
    const pinned = `${config.repositoryUri}@${DIGEST}`;
    expect(lookups).toEqual(['epycloud:latest']); // one lookup per run, whatever the stages
    expect(registered).toEqual([`jd-b:1=${pinned}`, `jd-r:1=${pinned}`, `jd-o:1=${pinned}`]);
    expect(run.jobDefinitions).toEqual({
      builder: 'jd-b:1+',
      runner: 'jd-r:1+',
      output: 'jd-o:1+',
    });
    expect(run.image).toEqual({
      requested: `${config.repositoryUri}:latest`,
      uri: pinned,
      digest: DIGEST,
    });
  });

  it('refuses a tag the repository does not hold, naming repository and tag, before registering anything', async () => {
    const error = await prepareRun(
      { expId: 'x', runId: 'r', imageTag: 'no-such-tag' },
      { config, registerImage: never, resolveImageDigest: ecrTags() },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    const message = (error as Error).message;
    expect(message).toContain('"no-such-tag"');
    expect(message).toContain('"epycloud"');
    expect(message).toContain(config.repositoryUri);
    expect(message).toContain('epycloud build cloud --tag no-such-tag');
  });

  it('refuses a digest that is not sha256 as the resolver found it', async () => {
    await expect(
      prepareRun(
        { expId: 'x', runId: 'r', imageTag: 'latest' },
        { config, registerImage: never, resolveImageDigest: async () => 'md5:abc' },
      ),
    ).rejects.toThrow(/md5:abc/);
  });

  it("pins an imageUri by tag of the stack's own repository the same way", async () => {
    const registered: string[] = [];
    const { run } = await prepareRun(
      { expId: 'x', runId: 'r', imageUri: `${config.repositoryUri}:v7` },
      { config, registerImage: recorder(registered), resolveImageDigest: ecrTags() },
    );
    const pinned = `${config.repositoryUri}@sha256:${'7'.repeat(64)}`;
    expect(new Set(registered.map((r) => r.split('=')[1]))).toEqual(new Set([pinned]));
    expect(run.image).toMatchObject({ requested: `${config.repositoryUri}:v7`, uri: pinned });
  });

  it('keeps an imageUri already by digest, from the own or an allowed repository, without a lookup', async () => {
    for (const image of [
      `${config.repositoryUri}@${DIGEST}`,
      `${config.repositoryUri}:v7@${DIGEST}`,
      `public.ecr.aws/acme/epycloud@${DIGEST}`,
    ]) {
      const registered: string[] = [];
      const { run } = await prepareRun(
        { expId: 'x', runId: 'r', imageUri: image },
        { config, registerImage: recorder(registered), resolveImageDigest: noResolve },
      );
      expect(registered, image).toEqual([`jd-b:1=${image}`, `jd-r:1=${image}`, `jd-o:1=${image}`]);
      expect(run.image, image).toEqual({ requested: image, uri: image, digest: DIGEST });
    }
  });

  it('refuses an imageUri by tag of another allowed repository: only a digest pins it', async () => {
    const image = 'public.ecr.aws/acme/epycloud:9';
    const error = await prepareRun(
      { expId: 'x', runId: 'r', imageUri: image },
      { config, registerImage: never, resolveImageDigest: noResolve },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain(`imageUri "${image}"`);
    expect((error as Error).message).toContain('public.ecr.aws/acme/epycloud@sha256:');
  });

  it("registers each stage's revision with the pinned image and the stage's command (an experiment's own image)", async () => {
    const registered: string[] = [];
    const image = `${config.repositoryUri}:v7`;
    const { run } = await prepareRun(
      {
        expId: 'x',
        runId: 'r',
        imageUri: image,
        commands: { builder: ['builder'], runner: ['python3', 'run.py'], output: ['output'] },
      },
      { config, registerImage: recorder(registered), resolveImageDigest: ecrTags() },
    );
    const pinned = `${config.repositoryUri}@sha256:${'7'.repeat(64)}`;
    expect(registered).toEqual([
      `jd-b:1=${pinned} builder`,
      `jd-r:1=${pinned} python3 run.py`,
      `jd-o:1=${pinned} output`,
    ]);
    expect(run.jobDefinitions).toEqual({
      builder: 'jd-b:1+',
      runner: 'jd-r:1+',
      output: 'jd-o:1+',
    });
    expect(run.image).toMatchObject({ requested: image, uri: pinned });
  });

  it('refuses commands without the image they run in, registering nothing', async () => {
    const error = await prepareRun(
      { expId: 'x', runId: 'r', commands: { runner: ['sh', '-c', 'anything'] } },
      { config, registerImage: never, resolveImageDigest: noResolve },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/commands: commands come with the image they run in/);
  });

  it("refuses an experiment's local-only image name before registering anything", async () => {
    const error = await prepareRun(
      { expId: 'x', runId: 'r', imageUri: 'python-model:local', commands: { runner: ['runner'] } },
      { config, registerImage: never, resolveImageDigest: noResolve },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('imageUri "python-model:local"');
    expect((error as Error).message).toContain(`name it ${config.repositoryUri}:<tag>`);
  });

  it("records no image when the run keeps the job definitions' image", async () => {
    const { run } = await prepareRun(
      { expId: 'x', runId: 'r' },
      { config, registerImage: never, resolveImageDigest: noResolve },
    );
    expect(run.image).toBeNull();
    expect(run.jobDefinitions).toEqual(config.jobDefinitions);
  });

  it('refuses an imageUri from a repository the deployment does not allow, before registering anything', async () => {
    for (const image of [
      'attacker.example.com/miner:latest',
      '999999999999.dkr.ecr.us-east-1.amazonaws.com/epycloud:v1',
      `${config.repositoryUri}-other:v1`,
      'public.ecr.aws/acme/epycloud/sub:1',
    ]) {
      const error = await prepareRun(
        { expId: 'x', runId: 'r', imageUri: image },
        { config, registerImage: never, resolveImageDigest: noResolve },
      ).catch((e: unknown) => e);
      expect(error, image).toBeInstanceOf(ValidationError);
      expect((error as Error).message, image).toContain(`imageUri "${image}"`);
      expect((error as Error).message, image).toContain('image.allowedRepositories');
    }
  });

  it('refuses a malformed imageUri or imageTag in the execution input', async () => {
    for (const input of [
      { imageUri: 'not an image' },
      { imageUri: 'UPPER/case:1' },
      { imageTag: 'v1 beta' },
    ]) {
      await expect(
        prepareRun(
          { expId: 'x', runId: 'r', ...input },
          { config, registerImage: never, resolveImageDigest: noResolve },
        ),
      ).rejects.toThrow(ConfigError);
    }
  });
});

describe('requestedImage', () => {
  const input = { expId: 'x', dirPrefix: '', skipOutput: false, stages: {} };
  it('prefers a full URI, maps a tag onto the repository, and refuses both', () => {
    const deployment = { repositoryUri: 'repo', allowedImageRepositories: ['other'] };
    expect(requestedImage(input, deployment)).toBeUndefined();
    expect(requestedImage({ ...input, imageTag: 'v1' }, deployment)).toBe('repo:v1');
    expect(requestedImage({ ...input, imageUri: 'other:v2' }, deployment)).toBe('other:v2');
    expect(() => requestedImage({ ...input, imageUri: 'third:v2' }, deployment)).toThrow(
      /does not allow/,
    );
    expect(() => requestedImage({ ...input, imageUri: 'a', imageTag: 'b' }, deployment)).toThrow(
      ValidationError,
    );
  });
});
