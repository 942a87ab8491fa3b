import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../lib/config/load.js';
import { ConfigError } from '../../../lib/errors.js';

/** The problems synth reports for a dev environment with these settings (none when it is valid). */
function problemsOf(dev: Record<string, unknown>): readonly string[] {
  try {
    loadDeploymentConfig((key) => (key === 'epycloud:environments' ? { dev } : undefined));
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const stage = (vcpus: number, memoryMiB: number) => ({ vcpus, memoryMiB, timeoutMinutes: 60 });

describe('deployment config: stages Batch could never place are refused at synth', () => {
  it('refuses a stage with more vCPUs than the compute environment runs at once (Fargate)', () => {
    expect(problemsOf({ compute: { maxvCpus: 2 }, stages: { runner: stage(4, 8192) } })).toEqual([
      expect.stringMatching(
        /^epycloud:environments\.dev\.stages\.runner\.vcpus: .*runner.* 4 vCPUs.* compute\.maxvCpus 2/,
      ),
    ]);
  });

  it('refuses it on EC2 too, naming every such stage', () => {
    const problems = problemsOf({
      compute: { type: 'ec2', maxvCpus: 16 },
      stages: { runner: stage(32, 65536), output: stage(24, 65536) },
    });
    expect(problems).toEqual([
      expect.stringMatching(/stages\.runner\.vcpus: .*runner.* 32 vCPUs.* compute\.maxvCpus 16/),
      expect.stringMatching(/stages\.output\.vcpus: .*output.* 24 vCPUs.* compute\.maxvCpus 16/),
    ]);
  });

  it("refuses more than Fargate's largest task, and accepts a stage that just fits", () => {
    expect(problemsOf({ stages: { runner: stage(32, 65536) } })).toEqual([
      expect.stringMatching(/stages\.runner: Fargate takes .*16 vCPUs, got 32/),
    ]);
    expect(problemsOf({ compute: { maxvCpus: 4 }, stages: { runner: stage(4, 8192) } })).toEqual(
      [],
    );
  });

  it('bounds how long a job may wait for capacity (Batch: 10 minutes to 24 hours)', () => {
    expect(problemsOf({ compute: { capacityWaitMinutes: 5 } })).toEqual([
      expect.stringMatching(/^epycloud:environments\.dev\.compute\.capacityWaitMinutes: /),
    ]);
    expect(problemsOf({ compute: { capacityWaitMinutes: 1441 } })).toHaveLength(1);
    expect(problemsOf({ compute: { capacityWaitMinutes: 240 } })).toEqual([]);
  });
});

describe('deployment config: CPU architecture', () => {
  it('defaults to x86_64 with memory-optimized Intel families, and to Graviton families on arm64', () => {
    const load = (dev: Record<string, unknown>) =>
      loadDeploymentConfig((key) => (key === 'epycloud:environments' ? { dev } : undefined));
    expect(load({}).compute).toMatchObject({
      cpuArchitecture: 'x86_64',
      ec2InstanceTypes: ['r6i', 'r7i'],
    });
    expect(load({ compute: { cpuArchitecture: 'arm64' } }).compute).toMatchObject({
      cpuArchitecture: 'arm64',
      ec2InstanceTypes: ['r7g', 'r8g'],
    });
    expect(
      load({ compute: { ec2InstanceTypes: ['m7i.2xlarge'] } }).compute.ec2InstanceTypes,
    ).toEqual(['m7i.2xlarge']);
  });

  it('refuses EC2 instance types of the other architecture', () => {
    expect(
      problemsOf({
        compute: { type: 'ec2', cpuArchitecture: 'arm64', ec2InstanceTypes: ['r7g', 'r6i'] },
      }),
    ).toEqual([expect.stringMatching(/compute\.ec2InstanceTypes\.1: .*r6i.*arm64/)]);
    expect(
      problemsOf({ compute: { type: 'ec2', ec2InstanceTypes: ['c7gn.4xlarge', 'x2gd'] } }),
    ).toEqual([
      expect.stringMatching(/compute\.ec2InstanceTypes\.0: .*c7gn\.4xlarge.*x86_64/),
      expect.stringMatching(/compute\.ec2InstanceTypes\.1: .*x2gd.*x86_64/),
    ]);
    expect(
      problemsOf({ compute: { type: 'ec2', ec2InstanceTypes: ['g4dn', 'c5n.xlarge', 'r7a'] } }),
    ).toEqual([]);
  });
});
