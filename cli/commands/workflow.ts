import { Command } from 'commander';
import { z } from 'zod';
import type { ExecutionStatus } from '@aws-sdk/client-sfn';
import type { RunImage } from '../../lib/contract/pipeline.js';
import { executionNamePrefix } from '../../lib/cloud/names.js';
import { processCloudDeps, type CloudCommandDeps } from '../deps.js';
import { cloudTargetFields, withCloudTargetOptions } from '../cloud-options.js';
import { parseOptions } from '../options.js';
import { renderExecutions } from '../render.js';
// lib/cloud's operations (and the AWS SDK) are imported by each command when it runs, never for `--help`.

const STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;

const listSchema = z.object({
  ...cloudTargetFields,
  expId: z.string().min(1).optional(),
  status: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(STATUSES, { message: `expected one of ${STATUSES.join(', ')}` }))
    .optional(),
  since: z
    .string()
    .transform((s) => new Date(s))
    .refine((d) => !Number.isNaN(d.getTime()), 'expected an ISO date, e.g. 2026-11-01')
    .optional(),
  limit: z
    .string()
    .regex(/^\d+$/, 'expected an integer >= 1')
    .transform(Number)
    .refine((n) => n >= 1, 'expected an integer >= 1')
    .default(20),
  json: z.boolean().default(false),
});
const oneSchema = z.object({ ...cloudTargetFields, json: z.boolean().default(false) });

async function list(deps: CloudCommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(listSchema, raw);
  const { listExecutions } = await import('../../lib/cloud/executions.js');
  const session = await deps.session(o);
  const d = await session.deployment();
  const found = await listExecutions(session.clients.sfn, d.stateMachineArn, {
    status: o.status as ExecutionStatus | undefined,
    namePrefix: o.expId === undefined ? undefined : executionNamePrefix(o.expId),
    since: o.since,
    limit: o.limit,
  });
  deps.stdout(o.json ? `${JSON.stringify(found)}\n` : renderExecutions(found));
}

/** The run's image line: the pinned override, the job definitions' image, or none when unknown. */
function imageLines(image: RunImage | null | undefined): string[] {
  if (image === undefined) return [];
  if (image === null) return ["  image: the job definitions' (no override)"];
  return [
    image.requested === image.uri
      ? `  image ${image.uri}`
      : `  image ${image.uri} (pinned from ${image.requested})`,
  ];
}

async function describe(deps: CloudCommandDeps, id: string, raw: unknown): Promise<void> {
  const o = parseOptions(oneSchema, raw);
  const { executionImage, toExecutionArn } = await import('../../lib/cloud/executions.js');
  const { progressLine, runProgress } = await import('../../lib/cloud/progress.js');
  const session = await deps.session(o);
  const d = await session.deployment();
  const arn = toExecutionArn(d.stateMachineArn, id);
  const progress = await runProgress(session.clients, d, arn);
  const image = await executionImage(session.clients.sfn, arn);
  const e = progress.execution;
  const text = [
    `${e.name}: ${e.status}`,
    `  experiment ${e.expId ?? '?'}, run ${e.runId ?? '?'}`,
    ...imageLines(image),
    `  started ${e.startDate ?? '-'}, stopped ${e.stopDate ?? '-'}`,
    `  ${progressLine(progress)}`,
    ...(e.error ? [`  error ${e.error}: ${e.cause ?? ''}`] : []),
    ...progress.jobs.map(
      (j) =>
        `  job ${j.jobId} ${j.stage ?? '?'} ${j.status} ${j.done}/${j.size} done, ${j.failed} failed`,
    ),
  ].join('\n');
  deps.stdout(o.json ? `${JSON.stringify({ ...progress, image })}\n` : `${text}\n`);
}

async function cancel(deps: CloudCommandDeps, id: string, raw: unknown): Promise<void> {
  const o = parseOptions(oneSchema, raw);
  const { cancelExecution } = await import('../../lib/cloud/workflows.js');
  const session = await deps.session(o);
  const result = await cancelExecution(session.clients, await session.deployment(), id);
  const text = `${result.execution.name}: ${result.stopped ? 'stopped' : `was ${result.execution.status}`}; terminated ${result.terminatedJobIds.length} Batch job(s)\n`;
  deps.stdout(o.json ? `${JSON.stringify(result)}\n` : text);
}

async function retry(deps: CloudCommandDeps, id: string, raw: unknown): Promise<void> {
  const o = parseOptions(oneSchema, raw);
  const { retryExecution } = await import('../../lib/cloud/workflows.js');
  const session = await deps.session(o);
  const d = await session.deployment();
  const after = await retryExecution(session.clients, d, id);
  deps.stdout(
    o.json
      ? `${JSON.stringify(after)}\n`
      : `${after.name}: started (${after.status}); run ${after.runId ?? '?'} keeps its results and reruns only the tasks without one\n`,
  );
}

/** Registers `workflow list|describe|cancel|retry` (cloud executions). */
export function registerWorkflow(
  program: Command,
  deps: () => CloudCommandDeps = processCloudDeps,
): void {
  const workflow = program
    .command('workflow')
    .description('cloud executions: list, describe, cancel, retry');
  withCloudTargetOptions(
    workflow.command('list').description('executions of the state machine, newest first'),
  )
    .option('--exp-id <id>', 'only this experiment')
    .option('--status <status>', `one of ${STATUSES.join(', ')}`)
    .option('--since <date>', 'started at or after this date')
    .option('--limit <n>', 'at most n executions', '20')
    .option('--json', 'print JSON')
    .action(async (options: unknown) => list(deps(), options));
  const one = (
    name: string,
    description: string,
    action: (deps: CloudCommandDeps, id: string, raw: unknown) => Promise<void>,
  ): void => {
    withCloudTargetOptions(
      workflow.command(`${name} <execution>`).description(`${description} (execution name or ARN)`),
    )
      .option('--json', 'print JSON')
      .action(async (id: string, options: unknown) => action(deps(), id, options));
  };
  one('describe', 'an execution, its Batch jobs and stage progress', describe);
  one('cancel', 'stop an execution and terminate its Batch jobs', cancel);
  one(
    'retry',
    'redrive a failed execution from where it failed, keeping its run id and results',
    retry,
  );
}
