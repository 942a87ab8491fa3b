import type { JobDetail } from '@aws-sdk/client-batch';
import type { Deployment } from '../../../lib/cloud/deployment.js';
import { FakeAws, type FakeExecution } from './fake-aws.js';

/** The deployment the fake stacks describe. */
export const DEPLOYMENT: Deployment = {
  region: 'eu-west-1',
  bucketName: 'epy-bucket',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:Pipeline',
  jobQueueArn: 'arn:aws:batch:eu-west-1:123456789012:job-queue/q',
  logGroupName: '/epycloud/jobs',
  repositoryUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/epycloud',
  jobDefinitions: {
    builder: 'arn:aws:batch:eu-west-1:123456789012:job-definition/a:3',
    runner: 'arn:aws:batch:eu-west-1:123456789012:job-definition/b:3',
    output: 'arn:aws:batch:eu-west-1:123456789012:job-definition/c:3',
  },
};

/** A FakeAws with the stacks of {@link DEPLOYMENT} spread over three stacks (and an unrelated one). */
export function fakeWithStacks(): FakeAws {
  const aws = new FakeAws();
  const out = (OutputKey: string, OutputValue: string) => ({ OutputKey, OutputValue });
  const d = DEPLOYMENT;
  aws.stacks = [
    {
      StackName: 'Other',
      StackStatus: 'CREATE_COMPLETE',
      CreationTime: new Date(),
      Outputs: [out('BucketName', 'not-this-one')],
    },
    {
      StackName: 'Epycloud-dev-Storage',
      StackStatus: 'CREATE_COMPLETE',
      CreationTime: new Date(),
      Outputs: [out('BucketName', d.bucketName)],
    },
    {
      StackName: 'Epycloud-dev-Compute',
      StackStatus: 'UPDATE_COMPLETE',
      CreationTime: new Date(),
      Outputs: [
        out('JobQueueArn', d.jobQueueArn),
        out('LogGroupName', d.logGroupName),
        out('RepositoryUri', d.repositoryUri),
        out('JobDefinitionBuilderArn', d.jobDefinitions.builder),
        out('JobDefinitionRunnerArn', d.jobDefinitions.runner),
        out('JobDefinitionOutputArn', d.jobDefinitions.output),
      ],
    },
    {
      StackName: 'Epycloud-dev-Pipeline',
      StackStatus: 'CREATE_COMPLETE',
      CreationTime: new Date(),
      Outputs: [out('StateMachineArn', d.stateMachineArn)],
    },
  ];
  return aws;
}

/** Adds a running execution of a run with the given input. */
export function addExecution(
  aws: FakeAws,
  name: string,
  input: Record<string, unknown>,
  status = 'RUNNING',
): FakeExecution {
  const execution: FakeExecution = {
    name,
    arn: `arn:aws:states:eu-west-1:123456789012:execution:Pipeline:${name}`,
    status,
    input: JSON.stringify(input),
    startDate: new Date(),
    history: [],
    redriveCount: 0,
  };
  aws.executions.unshift(execution);
  return execution;
}

/** A job as tests write it: any subset of the fields, statuses as plain strings. */
export type FakeJob = Omit<Partial<JobDetail>, 'status'> & { status?: string };

/** Adds a job (and, for array jobs, its children with the given statuses) to the fake. */
export function addJob(aws: FakeAws, job: FakeJob, children: readonly FakeJob[] = []): void {
  aws.jobs.set(job.jobId ?? '', {
    jobQueue: DEPLOYMENT.jobQueueArn,
    createdAt: 0,
    ...job,
  } as JobDetail);
  children.forEach((child, i) =>
    aws.jobs.set(`${job.jobId}:${i}`, {
      jobQueue: DEPLOYMENT.jobQueueArn,
      createdAt: 0,
      ...child,
      jobId: `${job.jobId}:${i}`,
      arrayProperties: { index: i },
    } as JobDetail),
  );
}
