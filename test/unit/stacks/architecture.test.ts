import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, SYNTH_TIMEOUT, synthFixture, type SynthFixture } from './support.js';

/** The Docker platforms the app's image assets are built for. */
function assetPlatforms(fixture: SynthFixture): (string | undefined)[] {
  const dir = fixture.app.outdir;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.assets.json'))
    .flatMap((file) =>
      Object.values(
        (
          JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
            dockerImages?: Record<string, { source: { platform?: string } }>;
          }
        ).dockerImages ?? {},
      ).map((image) => image.source.platform),
    );
}

describe('a deployment on ARM64 (Graviton)', () => {
  let fargate: SynthFixture;
  let ec2: SynthFixture;
  beforeAll(() => {
    fargate = synthFixture({
      'epycloud:environments': {
        dev: { compute: { cpuArchitecture: 'arm64' }, image: { source: 'asset' } },
      },
    });
    ec2 = synthFixture({
      'epycloud:environments': { dev: { compute: { type: 'ec2', cpuArchitecture: 'arm64' } } },
    });
  }, SYNTH_TIMEOUT);
  afterAll(() => {
    for (const f of [fargate, ec2]) if (f) rmSync(f.app.outdir, { recursive: true, force: true });
  });

  it('builds the image asset for linux/arm64', () => {
    expect(assetPlatforms(fargate)).toEqual(['linux/arm64']);
  });

  it('runs Fargate jobs on ARM64', () => {
    const definitions = resourcesOf(fargate, 'AWS::Batch::JobDefinition');
    expect(definitions).toHaveLength(3);
    for (const definition of definitions)
      expect(
        (definition.Properties.ContainerProperties as { RuntimePlatform?: unknown })
          .RuntimePlatform,
      ).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
  });

  it('runs EC2 jobs on Graviton instance families', () => {
    const [environment] = resourcesOf(ec2, 'AWS::Batch::ComputeEnvironment');
    expect(
      (environment?.Properties.ComputeResources as { InstanceTypes?: string[] }).InstanceTypes,
    ).toEqual(['r7g', 'r8g']);
  });
});
