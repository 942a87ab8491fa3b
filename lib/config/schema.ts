import { z } from 'zod';
import { IMAGE_REPOSITORY, IMAGE_TAG } from '../contract/image.js';
import { TRANSIENT_EXIT_CODE } from '../errors.js';
import { fargateResourcesProblem } from '../contract/fargate.js';

/** CloudWatch Logs retention values, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

const stageSchema = z
  .object({
    vcpus: z.number().positive(),
    memoryMiB: z.number().int().positive(),
    timeoutMinutes: z
      .number()
      .int()
      .min(1)
      .max(14 * 24 * 60),
  })
  .strict();

/** Per-stage container size and timeout. */
export type StageConfig = z.infer<typeof stageSchema>;

const stagesSchema = z
  .object({
    builder: stageSchema.default({ vcpus: 1, memoryMiB: 2048, timeoutMinutes: 60 }),
    runner: stageSchema.default({ vcpus: 1, memoryMiB: 2048, timeoutMinutes: 180 }),
    output: stageSchema.default({ vcpus: 2, memoryMiB: 4096, timeoutMinutes: 60 }),
  })
  .strict();

/** The configuration of one deployment environment (dev, prod, ...), every field defaulted. */
export const environmentSchema = z
  .object({
    account: z
      .string()
      .regex(/^\d{12}$/, 'expected a 12-digit AWS account id')
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as us-east-1')
      .optional(),
    /** Stack names start with this; the CLI finds stacks by it. */
    stackPrefix: z
      .string()
      .regex(
        /^[A-Za-z][A-Za-z0-9-]{0,100}$/,
        'expected letters, digits and "-", starting with a letter',
      ),
    /** `retain` keeps the bucket, repository and log groups when a stack is deleted. */
    removalPolicy: z.enum(['retain', 'destroy']),
    storage: z
      .object({
        intermediateExpirationDays: z.number().int().min(1).default(30),
        noncurrentVersionExpirationDays: z.number().int().min(1).default(30),
      })
      .strict()
      .default({ intermediateExpirationDays: 30, noncurrentVersionExpirationDays: 30 }),
    network: z
      .object({
        mode: z.enum(['endpoints', 'nat']).default('endpoints'),
        maxAzs: z.number().int().min(1).max(6).default(2),
      })
      .strict()
      .default({ mode: 'endpoints', maxAzs: 2 }),
    compute: z
      .object({
        type: z.enum(['fargate-spot', 'fargate', 'ec2']).default('fargate-spot'),
        maxvCpus: z.number().int().min(1).default(256),
        ec2InstanceTypes: z
          .array(
            z
              .string()
              .regex(
                /^[a-z0-9-]+(\.[a-z0-9]+)?$/,
                'expected an instance type or family such as r6i.4xlarge or r6i',
              ),
          )
          .min(1)
          .default(['r6i', 'r7i']),
        ec2Spot: z.boolean().default(false),
      })
      .strict()
      .default({
        type: 'fargate-spot',
        maxvCpus: 256,
        ec2InstanceTypes: ['r6i', 'r7i'],
        ec2Spot: false,
      }),
    stages: stagesSchema.default({
      builder: { vcpus: 1, memoryMiB: 2048, timeoutMinutes: 60 },
      runner: { vcpus: 1, memoryMiB: 2048, timeoutMinutes: 180 },
      output: { vcpus: 2, memoryMiB: 4096, timeoutMinutes: 60 },
    }),
    retry: z
      .object({
        attempts: z.number().int().min(1).max(10).default(3),
        transientExitCodes: z
          .array(z.number().int().min(1).max(255))
          .max(2, 'at most 2 codes: Batch allows 5 retry rules and 3 are taken')
          .refine((codes) => codes.includes(TRANSIENT_EXIT_CODE), {
            message: `must include ${TRANSIENT_EXIT_CODE}, the exit code of throttling and timeouts (S3 503 SlowDown, a stalled request): without it one throttled task fails a whole run`,
          })
          .default([TRANSIENT_EXIT_CODE]),
      })
      .strict()
      .default({ attempts: 3, transientExitCodes: [TRANSIENT_EXIT_CODE] }),
    image: z
      .object({
        source: z.enum(['repository', 'asset', 'uri']).default('repository'),
        tag: z.string().regex(IMAGE_TAG, 'expected a Docker tag').default('latest'),
        uri: z.string().min(1).optional(),
        /** Repositories besides the stack's own that a run's `imageUri` may name (exact repository URIs, no tag). */
        allowedRepositories: z
          .array(
            z
              .string()
              .regex(
                IMAGE_REPOSITORY,
                'expected an image repository without tag or digest, such as public.ecr.aws/acme/epycloud',
              ),
          )
          .default([]),
      })
      .strict()
      .default({ source: 'repository', tag: 'latest', allowedRepositories: [] }),
    logRetentionDays: z.union(LOG_RETENTION_DAYS.map((d) => z.literal(d))),
    notificationEmail: z.email().optional(),
    billingProject: z.string().min(1).default('default'),
    tags: z.record(z.string(), z.string()).default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.image.source === 'uri' && config.image.uri === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['image', 'uri'],
        message: 'required when image.source is "uri"',
      });
    }
    if (config.compute.type === 'ec2') return;
    for (const [stage, size] of Object.entries(config.stages)) {
      const problem = fargateResourcesProblem(size.vcpus, size.memoryMiB);
      if (problem !== undefined)
        ctx.addIssue({ code: 'custom', path: ['stages', stage], message: problem });
    }
  });

/** A validated environment configuration. */
export type EnvironmentConfig = z.infer<typeof environmentSchema>;

/** A named, validated environment configuration. */
export interface DeploymentConfig extends EnvironmentConfig {
  readonly name: string;
}
