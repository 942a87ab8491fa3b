import { StateMachine } from 'aws-local-stepfunctions';
import { planRun } from '../../lambdas/plan-stage-b/plan.js';
import { prepareRun, type ResolveImageDigest } from '../../lambdas/prepare-run/prepare.js';
import { reportErrors } from '../../lambdas/shared/handler-errors.js';
import { PIPELINE_STATES } from '../contract/pipeline.js';
import { ConfigError } from '../errors.js';
import type { Storage } from '../storage/index.js';
import { allStates, type AslMachine } from './asl.js';
import type { BatchStandIn } from './batch-stand-in.js';
import type { RehearsalStack } from './stack-reader.js';
import { nameHashDigests } from './stand-in-ecr.js';

/** Resource of Step Functions' Batch integration that waits for the job. */
const SUBMIT_JOB_SYNC = 'arn:aws:states:::batch:submitJob.sync';

/** Stand-ins of the lambda Task states, by state name. */
export type Handlers = Record<string, (input: unknown) => Promise<unknown>>;

/** The interpreter's handler of every Task state: Batch's `.sync` jobs by the stand-in, the lambdas by name. */
export function taskHandlers(definition: AslMachine, handlers: Handlers, batch: BatchStandIn) {
  type Handler = NonNullable<
    NonNullable<Parameters<StateMachine['run']>[1]>['overrides']
  >['taskResourceLocalHandlers'];
  const out: NonNullable<Handler> = {};
  for (const [name, state] of allStates(definition).filter(([, s]) => s.Type === 'Task')) {
    const handler = state.Resource === SUBMIT_JOB_SYNC ? batch.submitJobSync : handlers[name];
    if (handler === undefined)
      throw new ConfigError(
        `The rehearsal has no stand-in for Task state ${name} (${state.Resource})`,
      );
    out[name] = handler as unknown as NonNullable<Handler>[string];
  }
  return out;
}

/** What the lambda stand-ins need of the rehearsal. */
export interface LambdaStandInOptions {
  readonly stack: RehearsalStack;
  /** The stand-in ECR PrepareRun pins tags through (default {@link nameHashDigests}). */
  readonly resolveImageDigest?: ResolveImageDigest | undefined;
}

/** PrepareRun and PlanStageB in-process; PrepareRun registers its revisions in the Batch stand-in and pins tags through the stand-in ECR. */
export function lambdaStandIns(
  options: LambdaStandInOptions,
  storage: Storage,
  batch: BatchStandIn,
): Handlers {
  return {
    [PIPELINE_STATES.prepare]: (event: unknown) =>
      reportErrors(() =>
        prepareRun(event, {
          config: options.stack.prepareConfig,
          registerImage: batch.registerRevision,
          resolveImageDigest: options.resolveImageDigest ?? nameHashDigests,
        }),
      ),
    [PIPELINE_STATES.plan]: (event: unknown) =>
      reportErrors(() =>
        planRun(event as Parameters<typeof planRun>[0], {
          storage,
          bucket: options.stack.bucketName,
        }),
      ),
  };
}
