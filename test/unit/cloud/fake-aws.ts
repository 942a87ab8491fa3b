import {
  BatchClient,
  DescribeJobsCommand,
  ListJobsCommand,
  SubmitJobCommand,
  TerminateJobCommand,
  type DescribeJobsCommandInput,
  type JobDetail,
  type ListJobsCommandInput,
  type SubmitJobCommandInput,
  type TerminateJobCommandInput,
} from '@aws-sdk/client-batch';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type Stack,
} from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  type HistoryEvent,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { DESCRIBE_JOBS_MAX } from '../../../lib/cloud/batch.js';
import { assertNoReservedNames as assertNoReservedEnv } from '../../../lib/contract/batch-job.js';
import {
  BATCH_ARRAY_MAX as ARRAY_SIZE_MAX,
  BATCH_ARRAY_MIN as ARRAY_SIZE_MIN,
} from '../../../lib/contract/stage-b-plan.js';
import type { AwsClients } from '../../../lib/cloud/clients.js';

/** A service error shaped like the SDK's (name + message). */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

/** A fake execution. */
export interface FakeExecution {
  name: string;
  arn: string;
  status: string;
  input: string;
  startDate: Date;
  history: HistoryEvent[];
  redriveCount: number;
}

/** Pages a list with a numeric token, as the real APIs do. */
function page<T>(
  items: readonly T[],
  token: string | undefined,
  size: number,
): { items: T[]; next: string | undefined } {
  const start = token === undefined ? 0 : Number(token);
  const next = start + size < items.length ? String(start + size) : undefined;
  return { items: items.slice(start, start + size), next };
}

/**
 * An in-memory AWS control plane behind aws-sdk-client-mock, with the real
 * APIs' rules: ListJobs without a status lists only RUNNING jobs; DescribeJobs
 * rejects more than 100 ids; ListJobs/ListExecutions/history/stacks page with
 * tokens; GetLogEvents pages end when the forward token repeats; SubmitJob
 * rejects AWS_BATCH* override names and array sizes outside 2..10,000.
 * FilterLogEvents searches the streams of a group by name (at most 100) or
 * prefix (not both), oldest or (startFromHead false, startTime on or after
 * 2024-01-01) newest first, 10,000 events per page. Every call any client
 * makes is counted ({@link FakeAws.apiCallCount}).
 */
export class FakeAws {
  readonly clients: AwsClients = {
    cloudFormation: new CloudFormationClient({ region: 'eu-west-1' }),
    sfn: new SFNClient({ region: 'eu-west-1' }),
    batch: new BatchClient({ region: 'eu-west-1' }),
    logs: new CloudWatchLogsClient({ region: 'eu-west-1' }),
    s3: new S3Client({ region: 'eu-west-1' }),
    ecr: new ECRClient({ region: 'eu-west-1' }),
  };
  stacks: Stack[] = [];
  executions: FakeExecution[] = [];
  jobs = new Map<string, JobDetail>();
  logStreams = new Map<string, { timestamp: number; message: string }[]>();
  calls: { api: string; input: unknown }[] = [];
  readonly cfn = mockClient(this.clients.cloudFormation);
  readonly sfnMock = mockClient(this.clients.sfn);
  readonly batchMock = mockClient(this.clients.batch);
  readonly logsMock = mockClient(this.clients.logs);
  readonly ecrMock = mockClient(this.clients.ecr);
  readonly s3Mock = mockClient(this.clients.s3);
  objects = new Map<string, Uint8Array>();
  private nextJob = 1;

  constructor() {
    this.cfn.on(DescribeStacksCommand).callsFake((input) => {
      const { items, next } = page(this.stacks, input.NextToken, 2);
      return { Stacks: items, NextToken: next };
    });
    this.installSfn();
    this.installBatch();
    this.logsMock.on(GetLogEventsCommand).callsFake((input) => {
      this.calls.push({ api: 'GetLogEvents', input });
      // Tokens are positions in the whole stream; startTime only places the first page.
      const events = this.logStreams.get(`${input.logGroupName}/${input.logStreamName}`) ?? [];
      if (input.startFromHead === false && input.nextToken === undefined) {
        // The newest `limit` events (at or after startTime), oldest first, as GetLogEvents returns them.
        const from = events.filter((e) => e.timestamp < (input.startTime ?? 0)).length;
        const start = Math.max(from, events.length - (input.limit ?? 10_000));
        return {
          events: events.slice(start),
          nextForwardToken: `f/${events.length}`,
          nextBackwardToken: `b/${start}`,
        };
      }
      const first = Math.max(
        0,
        events.findIndex((e) => e.timestamp >= (input.startTime ?? 0)),
      );
      const start =
        input.nextToken === undefined
          ? events.some((e) => e.timestamp >= (input.startTime ?? 0))
            ? first
            : events.length
          : Number(input.nextToken.slice(2));
      const slice = events.slice(start, start + 2);
      return {
        events: slice,
        nextForwardToken: `f/${start + slice.length}`,
        nextBackwardToken: `b/${start}`,
      };
    });
    this.logsMock
      .on(FilterLogEventsCommand)
      .callsFake((input: FilterLogEventsCommandInput) => this.filterLogEvents(input));
    this.installS3();
    this.ecrMock.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from('AWS:secret-pass').toString('base64'),
          proxyEndpoint: 'https://123.dkr.ecr.eu-west-1.amazonaws.com',
        },
      ],
    });
  }

  private execution(arn: string | undefined): FakeExecution {
    const e = this.executions.find((x) => x.arn === arn);
    if (e === undefined)
      throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  private installSfn(): void {
    this.sfnMock.on(StartExecutionCommand).callsFake((input) => {
      const arn = `${input.stateMachineArn?.replace(':stateMachine:', ':execution:')}:${input.name}`;
      if (this.executions.some((e) => e.arn === arn))
        throw awsError('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(input.name ?? ''))
        throw awsError('InvalidName', `Invalid Name: '${input.name}'`);
      this.executions.unshift({
        name: input.name ?? '',
        arn,
        status: 'RUNNING',
        input: input.input ?? '{}',
        startDate: new Date(),
        history: [],
        redriveCount: 0,
      });
      return { executionArn: arn, startDate: new Date() };
    });
    this.sfnMock.on(DescribeExecutionCommand).callsFake((input) => {
      const e = this.execution(input.executionArn);
      return {
        executionArn: e.arn,
        name: e.name,
        status: e.status,
        input: e.input,
        startDate: e.startDate,
        redriveCount: e.redriveCount,
      };
    });
    this.sfnMock.on(ListExecutionsCommand).callsFake((input) => {
      const all = this.executions.filter(
        (e) => input.statusFilter === undefined || e.status === input.statusFilter,
      );
      const { items, next } = page(all, input.nextToken, Math.min(input.maxResults || 100, 1000));
      return {
        executions: items.map((e) => ({
          name: e.name,
          executionArn: e.arn,
          status: e.status,
          startDate: e.startDate,
          stateMachineArn: input.stateMachineArn,
        })),
        nextToken: next,
      };
    });
    this.sfnMock.on(GetExecutionHistoryCommand).callsFake((input) => {
      // Small pages (3 events) so that every caller must follow nextToken.
      const { items, next } = page(this.execution(input.executionArn).history, input.nextToken, 3);
      return { events: items, nextToken: next };
    });
    this.sfnMock.on(StopExecutionCommand).callsFake((input) => {
      this.calls.push({ api: 'StopExecution', input });
      this.execution(input.executionArn).status = 'ABORTED';
      return { stopDate: new Date() };
    });
    this.sfnMock.on(RedriveExecutionCommand).callsFake((input) => {
      const e = this.execution(input.executionArn);
      if (!['FAILED', 'ABORTED', 'TIMED_OUT'].includes(e.status))
        throw awsError('ExecutionNotRedrivable', `Execution is ${e.status}`);
      e.status = 'RUNNING';
      e.redriveCount += 1;
      return { redriveDate: new Date() };
    });
  }

  private installBatch(): void {
    this.batchMock.on(ListJobsCommand).callsFake((input: ListJobsCommandInput) => {
      const status = input.jobStatus ?? (input.filters?.length ? undefined : 'RUNNING');
      const all = [...this.jobs.values()].filter(
        (j) =>
          !j.jobId?.includes(':') &&
          j.jobQueue === input.jobQueue &&
          (status === undefined || j.status === status),
      );
      const { items, next } = page(all, input.nextToken, Math.min(input.maxResults || 100, 100));
      return {
        jobSummaryList: items.map((j) => ({
          jobId: j.jobId,
          jobName: j.jobName,
          status: j.status,
        })),
        nextToken: next,
      };
    });
    this.batchMock.on(DescribeJobsCommand).callsFake((input: DescribeJobsCommandInput) => {
      const ids = input.jobs ?? [];
      this.calls.push({ api: 'DescribeJobs', input });
      if (ids.length > DESCRIBE_JOBS_MAX)
        throw awsError(
          'ClientException',
          `jobs: at most ${DESCRIBE_JOBS_MAX} ids, got ${ids.length}`,
        );
      return { jobs: ids.flatMap((id) => this.jobs.get(id) ?? []) };
    });
    this.batchMock.on(SubmitJobCommand).callsFake((input: SubmitJobCommandInput) => {
      this.calls.push({ api: 'SubmitJob', input });
      try {
        assertNoReservedEnv((input.containerOverrides?.environment ?? []).map((e) => e.name ?? ''));
      } catch (error) {
        throw awsError('ClientException', (error as Error).message);
      }
      const size = input.arrayProperties?.size;
      if (size !== undefined && (size < ARRAY_SIZE_MIN || size > ARRAY_SIZE_MAX))
        throw awsError('ClientException', `array size ${size}`);
      const jobId = `job-${this.nextJob++}`;
      this.jobs.set(jobId, {
        jobId,
        jobName: input.jobName,
        jobQueue: input.jobQueue,
        jobDefinition: input.jobDefinition,
        status: 'SUBMITTED',
        tags: input.tags,
        createdAt: 0,
        startedAt: 0,
      });
      return { jobId, jobName: input.jobName, jobArn: `arn:aws:batch:eu-west-1:123:job/${jobId}` };
    });
    this.batchMock.on(TerminateJobCommand).callsFake((input: TerminateJobCommandInput) => {
      this.calls.push({ api: 'TerminateJob', input });
      const job = this.jobs.get(input.jobId ?? '');
      if (job === undefined) throw awsError('ClientException', `Job ${input.jobId} not found`);
      job.status = 'FAILED';
      return {};
    });
  }

  /** FilterLogEvents over {@link logStreams} (keys `<group>/<stream>`), with the real API's rules. */
  private filterLogEvents(input: FilterLogEventsCommandInput) {
    this.calls.push({ api: 'FilterLogEvents', input });
    const names = input.logStreamNames;
    const prefix = input.logStreamNamePrefix;
    if (names !== undefined && prefix !== undefined)
      throw awsError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix');
    if (names !== undefined && names.length > 100)
      throw awsError('InvalidParameterException', `logStreamNames: ${names.length} > 100`);
    if (input.filterPattern !== undefined) throw new Error('fake: filterPattern is not supported');
    const newestFirst = input.startFromHead === false;
    if (newestFirst && (input.startTime ?? 0) < Date.UTC(2024, 0, 1))
      throw awsError('InvalidParameterException', 'startFromHead false needs startTime >= 2024');
    const group = `${input.logGroupName}/`;
    const found: { logStreamName: string; eventId: string; timestamp: number; message: string }[] =
      [];
    for (const [key, events] of this.logStreams) {
      if (!key.startsWith(group)) continue;
      const stream = key.slice(group.length);
      if (names !== undefined ? !names.includes(stream) : !stream.startsWith(prefix ?? ''))
        continue;
      events.forEach((e, i) => {
        if (e.timestamp < (input.startTime ?? 0)) return;
        if (input.endTime !== undefined && e.timestamp > input.endTime) return;
        found.push({ logStreamName: stream, eventId: `${stream}#${i}`, ...e });
      });
    }
    found.sort((a, b) => a.timestamp - b.timestamp);
    if (newestFirst) found.reverse();
    const { items, next } = page(found, input.nextToken, Math.min(input.limit ?? 10_000, 10_000));
    return {
      events: items.map((e) => ({ ...e, ingestionTime: e.timestamp })),
      nextToken: next,
    };
  }

  /** Every call sent so far through any of the clients (all APIs, recorded or not in {@link calls}). */
  apiCallCount(): number {
    return [this.cfn, this.sfnMock, this.batchMock, this.logsMock, this.ecrMock, this.s3Mock]
      .map((m) => m.calls().length)
      .reduce((a, b) => a + b, 0);
  }

  /** Calls sent so far, by command name (`DescribeJobs`, `FilterLogEvents`, …). */
  apiCallsByName(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const m of [
      this.cfn,
      this.sfnMock,
      this.batchMock,
      this.logsMock,
      this.ecrMock,
      this.s3Mock,
    ])
      for (const call of m.calls()) {
        const name = (call.args[0] as object).constructor.name.replace(/Command$/, '');
        counts[name] = (counts[name] ?? 0) + 1;
      }
    return counts;
  }

  private installS3(): void {
    this.s3Mock.on(ListObjectsV2Command).callsFake((input) => {
      this.calls.push({ api: 'ListObjectsV2', input });
      const keys = [...this.objects.keys()].filter((k) => k.startsWith(input.Prefix ?? '')).sort();
      const { items, next } = page(
        keys,
        input.ContinuationToken,
        Math.min(input.MaxKeys ?? 1000, 1000),
      );
      return {
        Contents: items.map((Key) => ({ Key })),
        KeyCount: items.length,
        IsTruncated: next !== undefined,
        NextContinuationToken: next,
      };
    });
    this.s3Mock.on(PutObjectCommand).callsFake((input) => {
      this.calls.push({ api: 'PutObject', input: { Bucket: input.Bucket, Key: input.Key } });
      const body = input.Body;
      if (!(typeof body === 'string' || body instanceof Uint8Array))
        throw new Error('The fake S3 stores string or byte bodies only');
      this.objects.set(input.Key ?? '', typeof body === 'string' ? Buffer.from(body) : body);
      return {};
    });
    this.s3Mock.on(GetObjectCommand).callsFake((input) => {
      const body = this.objects.get(input.Key ?? '');
      if (body === undefined)
        throw Object.assign(awsError('NoSuchKey', 'The specified key does not exist.'), {
          $metadata: { httpStatusCode: 404 },
        });
      // The SDK's streaming body, reduced to the one method the S3 driver calls.
      return { Body: { transformToByteArray: async () => body } as never };
    });
    // HeadObject answers a missing key 404 "NotFound" (no body, so no NoSuchKey code).
    this.s3Mock.on(HeadObjectCommand).callsFake((input) => {
      const body = this.objects.get(input.Key ?? '');
      if (body === undefined)
        throw Object.assign(awsError('NotFound', 'Not Found'), {
          $metadata: { httpStatusCode: 404 },
        });
      return { ContentLength: body.length };
    });
  }

  /** Records that the execution submitted a job (a TaskSubmitted history event). */
  submitted(execution: FakeExecution, jobId: string): void {
    execution.history.push({
      id: execution.history.length + 1,
      timestamp: new Date(),
      type: 'TaskSubmitted',
      taskSubmittedEventDetails: {
        resourceType: 'batch',
        resource: 'submitJob.sync',
        output: JSON.stringify({ JobId: jobId, JobName: 'x' }),
      },
    });
  }

  /** Counts calls of an API. */
  count(api: string): number {
    return this.calls.filter((c) => c.api === api).length;
  }
}
