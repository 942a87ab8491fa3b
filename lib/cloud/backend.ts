import type {
  Backend,
  JobOptions,
  LogEntry,
  LogQuery,
  ProgressSink,
  StatusQuery,
  StatusReport,
  WorkflowOptions,
  WorkflowResult,
} from '../backend/types.js';
import type { ExperimentListing } from '../run/run-listing.js';
import { findExperimentIds } from '../host/experiment-source.js';
import { listExperiments } from '../run/run-listing.js';
import type { Storage } from '../storage/index.js';
import type { CloudBackendConfig, CloudLogExtras, CloudWorkflowExtras } from './backend-options.js';
import { cloudSession } from './session.js';
import { cloudLogs, type CloudLogLine } from './logs.js';
import { startedResult, startWorkflow } from './backend-run.js';
import { progressLine } from './progress.js';
import { refuseOwnImageJob } from './own-image-job.js';
import { submitStageJob } from './run-job.js';
import { cloudStatus } from './status.js';

/** Groups log lines into one entry per stream (stage, task, attempt). */
function toEntries(lines: readonly CloudLogLine[], group: string): LogEntry[] {
  const entries = new Map<
    string,
    { stage: CloudLogLine['stage']; taskIndex?: number; location: string; text: string }
  >();
  for (const l of lines) {
    const key = `${l.stage}/${l.taskIndex}/${l.attempt}`;
    const entry = entries.get(key) ?? {
      stage: l.stage,
      ...(l.taskIndex === undefined ? {} : { taskIndex: l.taskIndex }),
      location: `${group} (attempt ${l.attempt})`,
      text: '',
    };
    entry.text += `${l.message}\n`;
    entries.set(key, entry);
  }
  return [...entries.values()].filter((e): e is LogEntry => e.stage !== undefined);
}

/**
 * The cloud back end: the same interface as the local one, over the
 * deployment found from the stacks' outputs. The deployment is resolved on
 * first use, so `--help` and local commands never touch AWS.
 */
export function createCloudBackend(config: CloudBackendConfig): Backend {
  const session = cloudSession(config.target, config.stackPrefix, config.clients);
  const { clients } = session;
  const deployed = session.deployment;
  const storage = (): Promise<Storage> => session.storage();

  const runWorkflow = (
    options: WorkflowOptions & CloudWorkflowExtras,
    progress: ProgressSink,
  ): Promise<WorkflowResult> => startWorkflow(config, session, options, progress);

  const runJob = async (options: JobOptions): Promise<WorkflowResult> => {
    const d = await deployed();
    await refuseOwnImageJob(await storage(), options);
    const job = await submitStageJob(clients, d, options);
    return startedResult(options.expId, options.runId, options.numTasks ?? 0, {
      logs: `Batch job ${job.jobId} (${job.jobName}) on ${d.jobQueueArn}`,
    });
  };

  const logs = async (query: LogQuery & CloudLogExtras): Promise<LogEntry[]> => {
    const d = await deployed();
    const lines: CloudLogLine[] = [];
    await cloudLogs(
      clients,
      d,
      query,
      query.onLine ?? ((l) => lines.push(l)),
      config.pollMs ? { intervalMs: config.pollMs } : {},
    );
    return toEntries(lines, d.logGroupName);
  };

  const status = async (query: StatusQuery = {}): Promise<StatusReport> => {
    const d = await deployed();
    const s = await cloudStatus(clients, d, query.expId);
    const facts = [
      { label: 'state machine', value: d.stateMachineArn },
      { label: 'bucket', value: `s3://${d.bucketName}` },
      ...s.runs.map((r) => ({ label: r.execution.name, value: progressLine(r) })),
      ...s.otherJobs.map((j) => ({
        label: j.jobName,
        value: `${j.status} ${j.done}/${j.size} done`,
      })),
    ];
    return { backend: 'cloud', ok: true, facts };
  };

  return {
    name: 'cloud',
    runWorkflow,
    runJob: (options) => runJob(options),
    listExperiments: async (): Promise<ExperimentListing[]> =>
      listExperiments(await storage(), await findExperimentIds(config.paths.experimentsDir)),
    logs,
    status,
  };
}
