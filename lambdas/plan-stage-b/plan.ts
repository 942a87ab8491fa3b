import { stageContainerOverrides, stageJobName } from '../../lib/contract/batch-job.js';
import { RunLayout } from '../../lib/contract/layout.js';
import type {
  PlanStageBEvent,
  PlanStageBResult,
  RunSpec,
  StageBSubmitSpec,
} from '../../lib/contract/pipeline.js';
import { planStageB, type StageBJob, type StageBPlan } from '../../lib/contract/stage-b-plan.js';
import { readManifest } from '../../lib/run/manifest.js';
import { tasksWithoutResult, writeTaskMap } from '../../lib/run/task-map.js';
import type { Storage } from '../../lib/storage/storage.js';

/** What PlanStageB needs besides its event. */
export interface PlanDeps {
  readonly storage: Storage;
  readonly bucket: string;
}

/**
 * The tasks Stage B runs: all N on a first execution; on a re-execution of a
 * run that already has results (`workflow retry`), only those without one,
 * through a task map, so 3 failed tasks of 10,000 cost an array of 3.
 */
async function tasksToRun(
  run: RunSpec,
  storage: Storage,
): Promise<{ numTasks: number; count: number; taskMap?: string }> {
  const layout = new RunLayout(run.expId, run.runId, run.dirPrefix);
  const { numTasks } = await readManifest(storage, layout);
  const missing = await tasksWithoutResult(storage, layout, numTasks);
  if (missing.length === numTasks) return { numTasks, count: numTasks };
  // every result exists: one task, which finds its result and exits, then Stage C
  const indexes = missing.length > 0 ? missing : [0];
  return { numTasks, count: indexes.length, taskMap: await writeTaskMap(storage, layout, indexes) };
}

function runnerJob(
  run: RunSpec,
  plan: StageBPlan,
  job: StageBJob,
  part: number,
  bucket: string,
  taskMap: string | undefined,
): StageBSubmitSpec {
  const base = {
    stage: 'runner' as const,
    expId: run.expId,
    runId: run.runId,
    dirPrefix: run.dirPrefix,
    bucket,
    resources: run.resources.runner,
    ...(run.cache === false ? { cache: false } : {}),
  };
  const index = {
    ...(plan.kind === 'single'
      ? { taskIndex: job.offset }
      : plan.kind === 'split'
        ? { taskIndexOffset: job.offset }
        : {}),
    ...(taskMap === undefined ? {} : { taskMap }),
  };
  return {
    jobName: stageJobName('runner', run.expId, run.runId, plan.kind === 'split' ? part : undefined),
    containerOverrides: stageContainerOverrides({ ...base, ...index }),
    offset: job.offset,
    size: job.size,
    dependsOn: job.sequential ? [{ Type: 'SEQUENTIAL' }] : [],
  };
}

/** Why a run with no tasks stops, for the state machine's Fail cause. */
function noTasksMessage(run: RunSpec): string {
  const manifest = new RunLayout(run.expId, run.runId, run.dirPrefix).manifest;
  return `Stage A (builder) produced 0 tasks for experiment ${run.expId}, run ${run.runId} (manifest ${manifest}): nothing for Stage B to run. Check the experiment's parameter sets.`;
}

/**
 * PlanStageB: reads N from the manifest Stage A wrote and plans Stage B
 * ({@link planStageB}) and Stage C (`NUM_TASKS` = N) as ready-to-submit jobs.
 */
export async function planRun(event: PlanStageBEvent, deps: PlanDeps): Promise<PlanStageBResult> {
  const { run } = event;
  const { numTasks, count, taskMap } = await tasksToRun(run, deps.storage);
  const plan = planStageB(count, run.maxParallelism ?? undefined);
  return {
    kind: plan.kind,
    numTasks,
    message: plan.kind === 'none' ? noTasksMessage(run) : '',
    maxConcurrency: plan.maxConcurrency,
    jobs: plan.jobs.map((job, i) => runnerJob(run, plan, job, i + 1, deps.bucket, taskMap)),
    output: {
      jobName: stageJobName('output', run.expId, run.runId),
      containerOverrides: stageContainerOverrides({
        stage: 'output',
        expId: run.expId,
        runId: run.runId,
        dirPrefix: run.dirPrefix,
        bucket: deps.bucket,
        resources: run.resources.output,
        numTasks,
        ...(run.outputConfigFile === null ? {} : { outputConfigFile: run.outputConfigFile }),
      }),
    },
  };
}
