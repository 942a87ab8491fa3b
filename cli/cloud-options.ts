import type { Command } from 'commander';
import { z } from 'zod';
import type { CloudLogExtras, CloudWorkflowExtras } from '../lib/cloud/backend-options.js';
import { ValidationError } from '../lib/errors.js';
import { intOption, positive } from './flag-values.js';

/** Options that pick and reach the AWS deployment. */
export const cloudTargetFields = {
  region: z.string().min(1).optional(),
  profile: z.string().min(1).optional(),
  stackPrefix: z.string().min(1).optional(),
};

/** Adds `--region`, `--profile`, `--stack-prefix`. */
export function withCloudTargetOptions(command: Command): Command {
  return command
    .option(
      '--region <region>',
      'AWS region (default: the SDK chain, e.g. AWS_REGION or the profile)',
    )
    .option('--profile <profile>', 'AWS shared-config profile (default: AWS_PROFILE or default)')
    .option(
      '--stack-prefix <prefix>',
      'names of the deployed stacks start with this (default Epycloud)',
    );
}

/** `run workflow` options only the cloud honours. */
export const cloudWorkflowFields = {
  maxParallelism: intOption(1, 'an integer >= 1').optional(),
  stageAVcpus: positive.optional(),
  stageBVcpus: positive.optional(),
  stageCVcpus: positive.optional(),
  stageAMemory: intOption(1, 'MiB, an integer >= 1').optional(),
  stageBMemory: intOption(1, 'MiB, an integer >= 1').optional(),
  stageCMemory: intOption(1, 'MiB, an integer >= 1').optional(),
  imageTag: z.string().min(1).optional(),
  wait: z.boolean().default(false),
  rehearse: z.boolean().default(false),
};

/** Adds the cloud-only options of `run workflow` (the target options come with the back-end options). */
export function withCloudWorkflowOptions(command: Command): Command {
  for (const [flag, stage] of [
    ['a', 'A (builder)'],
    ['b', 'B (runner)'],
    ['c', 'C (output)'],
  ] as const) {
    command
      .option(`--stage-${flag}-vcpus <n>`, `cloud: vCPUs of Stage ${stage}`)
      .option(`--stage-${flag}-memory <mib>`, `cloud: memory (MiB) of Stage ${stage}`);
  }
  return command
    .option(
      '--max-parallelism <n>',
      'cloud: most Stage B tasks running at once (default: no limit)',
    )
    .option(
      '--image-tag <tag>',
      "cloud: image tag of the stack's repository (default: the deployed image)",
    )
    .option(
      '--wait',
      'cloud: wait for the run, showing stage progress; exit non-zero when it fails',
    )
    .option(
      '--rehearse',
      'cloud: run the synthesized state machine here, against a local S3 server, instead of on AWS',
    );
}

type CloudWorkflowOptions = z.infer<z.ZodObject<typeof cloudWorkflowFields>>;

const CLOUD_ONLY_FLAGS: Record<keyof CloudWorkflowOptions, string> = {
  maxParallelism: '--max-parallelism',
  stageAVcpus: '--stage-a-vcpus',
  stageBVcpus: '--stage-b-vcpus',
  stageCVcpus: '--stage-c-vcpus',
  stageAMemory: '--stage-a-memory',
  stageBMemory: '--stage-b-memory',
  stageCMemory: '--stage-c-memory',
  imageTag: '--image-tag',
  wait: '--wait',
  rehearse: '--rehearse',
};

/** The parsed cloud-only options, in the back end's shape; with `--local` they are refused by name. */
export function cloudWorkflowExtras(
  o: CloudWorkflowOptions & { local?: boolean },
): CloudWorkflowExtras {
  const given = (Object.keys(CLOUD_ONLY_FLAGS) as (keyof CloudWorkflowOptions)[]).filter(
    (k) => o[k] !== undefined && o[k] !== false,
  );
  if (o.local && given.length > 0) {
    throw new ValidationError(
      `${given.map((k) => CLOUD_ONLY_FLAGS[k]).join(', ')}: cloud options, not for --local runs (with mode: local in the settings, pass --cloud)`,
    );
  }
  const stage = (vcpus: number | undefined, memoryMiB: number | undefined) =>
    vcpus === undefined && memoryMiB === undefined
      ? undefined
      : { ...(vcpus ? { vcpus } : {}), ...(memoryMiB ? { memoryMiB } : {}) };
  const stages = {
    builder: stage(o.stageAVcpus, o.stageAMemory),
    runner: stage(o.stageBVcpus, o.stageBMemory),
    output: stage(o.stageCVcpus, o.stageCMemory),
  };
  return {
    maxParallelism: o.maxParallelism,
    stages: Object.fromEntries(Object.entries(stages).filter(([, v]) => v !== undefined)),
    imageTag: o.imageTag,
    wait: o.wait,
  };
}

const since = z
  .string()
  .transform((text, ctx) => {
    const relative = /^(\d+)([smhd])$/.exec(text);
    const ms = relative
      ? Number(relative[1]) *
        { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[relative[2] as 's' | 'm' | 'h' | 'd']
      : undefined;
    const date = ms !== undefined ? new Date(Date.now() - ms) : new Date(text);
    if (Number.isNaN(date.getTime()))
      ctx.addIssue({ code: 'custom', message: 'expected a duration (30m, 2h, 1d) or an ISO date' });
    return date;
  })
  .optional();

/** `logs` options only the cloud honours. */
export const cloudLogFields = {
  follow: z.boolean().default(false),
  tail: intOption(0, 'an integer >= 0').optional(),
  since,
};

/** Adds `--follow`, `--tail`, `--since` to `logs`. */
export function withCloudLogOptions(command: Command): Command {
  return command
    .option('--follow', 'cloud: keep printing new lines until the run ends')
    .option('--tail <n>', 'cloud: only the last n lines')
    .option('--since <when>', 'cloud: lines from this time on: 30m, 2h, 1d or an ISO date');
}

/** The parsed log options in the back end's shape; `--follow` prints lines as they come. */
export function cloudLogExtras(
  o: { follow: boolean; tail?: number | undefined; since?: Date | undefined; local?: boolean },
  write: (text: string) => void,
): CloudLogExtras {
  if (o.local && (o.follow || o.tail !== undefined || o.since !== undefined))
    throw new ValidationError(
      '--follow, --tail and --since are for cloud logs (drop --local; with mode: local in the settings, pass --cloud)',
    );
  const onLine = o.follow
    ? (l: { stage?: string | undefined; taskIndex?: number | undefined; message: string }) =>
        write(
          `[${l.stage ?? '?'}${l.taskIndex === undefined ? '' : ` ${l.taskIndex}`}] ${l.message}\n`,
        )
    : undefined;
  return { follow: o.follow, tail: o.tail, since: o.since, onLine };
}

/** `status` options only the cloud honours. */
export const cloudStatusFields = {
  expId: z.string().min(1).optional(),
  watch: z.boolean().default(false),
};

/** Adds `--exp-id` and `--watch` to `status`. */
export function withCloudStatusOptions(command: Command): Command {
  return command
    .option('--exp-id <id>', 'cloud: only this experiment')
    .option('--watch', 'cloud: refresh every 15 s until interrupted');
}

/** Runs `show` once, or (watching) again every `intervalMs` until the process is interrupted. */
export async function repeatWhileWatching(
  watch: boolean,
  show: () => Promise<void>,
  intervalMs = 15_000,
): Promise<void> {
  await show();
  while (watch) {
    await new Promise((r) => setTimeout(r, intervalMs));
    await show();
  }
}
