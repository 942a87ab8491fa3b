import { z } from 'zod';

/** Environment variable of the PlanStageB lambda holding the data bucket's name. */
export const PLAN_BUCKET_VAR = 'EPYCLOUD_BUCKET';

const resourcesSchema = z.object({
  vcpus: z.number().positive(),
  memoryMiB: z.number().int().positive(),
});
const byStage = <T extends z.ZodType>(schema: T) =>
  z.object({ builder: schema, runner: schema, output: schema });

/** Environment variable holding the PrepareRun configuration as JSON. */
export const PREPARE_CONFIG_VAR = 'EPYCLOUD_PREPARE_CONFIG';

/** The deployment facts the PrepareRun lambda gets from its environment (`EPYCLOUD_PREPARE_CONFIG`, JSON). */
export const prepareConfigSchema = z.object({
  bucket: z.string().min(1),
  /** The deployment environment (dev, prod): the default profile tag. */
  environment: z.string().min(1),
  billingProject: z.string().min(1),
  platform: z.enum(['fargate', 'ec2']),
  repositoryUri: z.string().min(1),
  /** Repositories besides `repositoryUri` a run's `imageUri` may name (the deployment config's `image.allowedRepositories`). */
  allowedImageRepositories: z.array(z.string()).default([]),
  resources: byStage(resourcesSchema),
  jobDefinitions: byStage(z.string().min(1)),
});

/** Parsed PrepareRun configuration. */
export type PrepareConfig = z.infer<typeof prepareConfigSchema>;
