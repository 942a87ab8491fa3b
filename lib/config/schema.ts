import { z } from 'zod';
import { IMAGE_REPOSITORY, IMAGE_TAG } from '../contract/image.js';
import { TRANSIENT_EXIT_CODE } from '../errors.js';
import { fargateResourcesProblem } from '../contract/fargate.js';
import { scheduleConfigFields } from './schedule-config.js';

/** CloudWatch Logs retention values, in days. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** CPU architectures a deployment can run on. */
export const CPU_ARCHITECTURES = ['x86_64', 'arm64'] as const;
/** A CPU architecture: `x86_64` (Intel/AMD) or `arm64` (Graviton). */
export type CpuArchitecture = (typeof CPU_ARCHITECTURES)[number];

/** Memory-optimized EC2 families per architecture (the stages are memory-bound). */
const DEFAULT_EC2_INSTANCE_TYPES: Readonly<Record<CpuArchitecture, readonly string[]>> = {
  x86_64: ['r6i', 'r7i'],
  arm64: ['r7g', 'r8g'],
};

/**
 * The architecture of an EC2 instance type or family: Graviton families carry a `g` right after
 * their generation (r7g, m7gd, c7gn, x2gd, im4gn, is4gen, t4g, g5g) or are `a1`; the rest are x86_64.
 */
export function instanceArchitecture(typeOrFamily: string): CpuArchitecture {
  const family = typeOrFamily.split('.')[0] ?? typeOrFamily;
  return family === 'a1' || /^[a-z]+\d+g[a-z]*$/.test(family) ? 'arm64' : 'x86_64';
}

/** A Secrets Manager secret: its name or full ARN (never the URL it holds, which stays out of templates). */
const secretId = z
  .string()
  .regex(
    /^(arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}|[A-Za-z0-9/_+=.@-]{1,512})$/,
    'expected a Secrets Manager secret name (such as epycloud/slack-webhook) or its full ARN, not the webhook URL itself: store the URL in the secret',
  );

/** Webhooks announcing the end of every execution (docs/NOTIFY.md); with none, no NotifyRun lambda. */
const notificationsSchema = z
  .object({
    /** The secret holding the generic webhook's URL. */
    webhookSecret: secretId.optional(),
    /** The secret holding the Slack incoming webhook's URL. */
    slackWebhookSecret: secretId.optional(),
    /** The customer-managed KMS key of those secrets, when they do not use aws/secretsmanager. */
    secretsKmsKeyArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, 'expected a KMS key ARN')
      .optional(),
  })
  .strict();

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
        /** The CPU architecture of the image and of the tasks (Fargate runtime platform, EC2 instance families). */
        cpuArchitecture: z.enum(CPU_ARCHITECTURES).default('x86_64'),
        /** Instance families or types; default: memory-optimized families of the architecture. */
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
          .optional(),
        ec2Spot: z.boolean().default(false),
        /** Minutes a job may wait in RUNNABLE for capacity before the queue cancels it (Batch: 10..1440). */
        capacityWaitMinutes: z
          .number()
          .int()
          .min(10)
          .max(24 * 60)
          .default(60),
      })
      .strict()
      .transform((compute) => ({
        ...compute,
        ec2InstanceTypes: compute.ec2InstanceTypes ?? [
          ...DEFAULT_EC2_INSTANCE_TYPES[compute.cpuArchitecture],
        ],
      }))
      .default({
        type: 'fargate-spot',
        maxvCpus: 256,
        cpuArchitecture: 'x86_64',
        ec2InstanceTypes: [...DEFAULT_EC2_INSTANCE_TYPES.x86_64],
        ec2Spot: false,
        capacityWaitMinutes: 60,
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
    notifications: notificationsSchema.default({}),
    billingProject: z.string().min(1).default('default'),
    tags: z.record(z.string(), z.string()).default({}),
    ...scheduleConfigFields,
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
    const { compute } = config;
    for (const [stage, size] of Object.entries(config.stages)) {
      // A job asking for more vCPUs than a compute environment may run would wait in RUNNABLE forever.
      if (size.vcpus > compute.maxvCpus)
        ctx.addIssue({
          code: 'custom',
          path: ['stages', stage, 'vcpus'],
          message: `stage ${stage} asks for ${size.vcpus} vCPUs but compute.maxvCpus ${compute.maxvCpus} caps what the compute environment runs at once: Batch could never place its jobs. Raise compute.maxvCpus or lower the stage's vCPUs`,
        });
    }
    if (compute.type === 'ec2') {
      compute.ec2InstanceTypes.forEach((type, i) => {
        const architecture = instanceArchitecture(type);
        if (architecture !== compute.cpuArchitecture)
          ctx.addIssue({
            code: 'custom',
            path: ['compute', 'ec2InstanceTypes', i],
            message: `${type} is ${architecture} but compute.cpuArchitecture is ${compute.cpuArchitecture}: the image could not run on it (${compute.cpuArchitecture === 'arm64' ? 'Graviton families such as r7g, r8g' : 'Intel/AMD families such as r6i, r7i, r7a'})`,
          });
      });
      return;
    }
    for (const [stage, size] of Object.entries(config.stages)) {
      const problem = fargateResourcesProblem(size.vcpus, size.memoryMiB);
      if (problem !== undefined)
        ctx.addIssue({ code: 'custom', path: ['stages', stage], message: problem });
    }
  });

/** The deployment's webhook notifications: the secrets holding their URLs. */
export type NotificationsConfig = z.infer<typeof notificationsSchema>;

/** A validated environment configuration. */
export type EnvironmentConfig = z.infer<typeof environmentSchema>;

/** A named, validated environment configuration. */
export interface DeploymentConfig extends EnvironmentConfig {
  readonly name: string;
}
