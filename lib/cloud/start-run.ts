import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import {
  buildExecutionInput,
  withStageImage,
  type ExecutionInput,
  type ExecutionRequest,
} from '../contract/execution.js';
import { newRunId, validateExpId, validateRunId } from '../contract/ids.js';
import { checkOwnImageStartable } from '../contract/image.js';
import { RunLayout } from '../contract/layout.js';
import { ValidationError } from '../errors.js';
import type { ExperimentSource } from '../host/experiment-source.js';
import type { ExperimentPlan } from '../experiment/plan.js';
import { bucketStorage } from './session.js';
import type { AwsClients } from './clients.js';
import type { Deployment } from './deployment.js';
import { consoleUrl, executionArn, executionName } from './names.js';
import { recordCloudRunStart } from '../run/launch-record.js';
import type { GitState } from '../host/git-state.js';
import type { RunLaunch } from '../run/run-record.js';

/** What a cloud run is started with (the CLI's `run workflow` options). */
export interface CloudRunRequest extends ExecutionRequest {
  readonly runId?: string | undefined;
  /** The experiment folder on this machine (holds `config/`). */
  readonly experimentDir: string;
  readonly dryRun?: boolean | undefined;
  /** This launch (who, with what arguments) and the folder's git state, for the run record. */
  readonly launch?: RunLaunch | undefined;
  readonly git?: GitState | undefined;
  readonly noCache?: boolean | undefined;
}

/** A started (or, with `dryRun`, planned) cloud run. */
export interface CloudRunStarted {
  readonly runId: string;
  readonly expId: string;
  /** Tasks as validation counted them; 0 for an experiment run by its own image (its Stage A decides). */
  readonly numTasks: number;
  /** The experiment's own stage image, when it names one. */
  readonly image?: string;
  /** What the run costs, as validation planned it. */
  readonly plan?: ExperimentPlan | undefined;
  readonly executionName: string;
  readonly executionArn: string;
  readonly consoleUrl: string;
  readonly runPrefix: string;
  readonly input: ExecutionInput;
  readonly dryRun: boolean;
}

async function assertNewExecution(clients: AwsClients, arn: string, runId: string): Promise<void> {
  try {
    const existing = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    throw new ValidationError(
      `Run ${runId} already has an execution (${existing.status}): ${arn}. Pick another --run-id, or use \`epycloud workflow retry\` to rerun its missing tasks`,
    );
  } catch (error) {
    if ((error as Error).name !== 'ExecutionDoesNotExist') throw error;
  }
}

/**
 * Starts a cloud run: validates the experiment (before anything is uploaded
 * or spent), checks the run is new, uploads the experiment folder to the run
 * prefix and writes its `run.json`, and starts the execution under its
 * deterministic name. An experiment that names its own stage image runs it:
 * the execution input's `imageUri` and `commands` (an image override as well is refused).
 * `confirm` is asked after validation; a `false` answer stops before any write.
 */
export async function startCloudRun(
  clients: AwsClients,
  deployment: Deployment,
  tools: ExperimentSource,
  asked: CloudRunRequest,
  confirm: (plan: CloudRunStarted) => Promise<boolean> = async () => true,
): Promise<CloudRunStarted> {
  validateExpId(asked.expId);
  const runId = validateRunId(asked.runId ?? newRunId());
  const overrides = {
    outputConfigFile: asked.outputConfigFile,
    referenceDate: asked.referenceDate,
  };
  const checked = await tools.validate(asked.experimentDir, overrides);
  const request = withStageImage(asked, checked.stageImage);
  if (checked.stageImage !== undefined)
    checkOwnImageStartable(checked.stageImage.image, deployment.repositoryUri);
  const input = buildExecutionInput(request, runId);
  const layout = new RunLayout(request.expId, runId, input.dirPrefix);
  const name = executionName(request.expId, runId);
  const arn = executionArn(deployment.stateMachineArn, name);
  const plan: CloudRunStarted = {
    runId,
    expId: request.expId,
    numTasks: checked.numTasks ?? 0,
    plan: checked.plan,
    ...(checked.stageImage ? { image: checked.stageImage.image } : {}),
    executionName: name,
    executionArn: arn,
    consoleUrl: consoleUrl(deployment.region, arn),
    runPrefix: `s3://${deployment.bucketName}/${layout.prefix}`,
    input,
    dryRun: request.dryRun ?? false,
  };
  if (plan.dryRun) return plan;
  if (!(await confirm(plan)))
    throw new ValidationError('Cancelled: nothing was uploaded or started');
  await assertNewExecution(clients, arn, runId);
  const storage = bucketStorage(clients, deployment);
  await tools.snapshot(request.experimentDir, storage, layout);
  await recordCloudRunStart(storage, layout, 'cloud', {
    launch: request.launch ?? { kind: 'start', at: new Date().toISOString(), by: 'unknown' },
    image: request.imageUri ?? `${deployment.repositoryUri}:${request.imageTag ?? '(deployed)'}`,
    referenceDate: request.referenceDate,
    outputConfigFile: request.outputConfigFile,
    git: request.git,
    cacheEnabled: !request.noCache,
  });
  await clients.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: deployment.stateMachineArn,
      name,
      input: JSON.stringify(input),
    }),
  );
  return plan;
}
