import { Command } from 'commander';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloudCommandDeps } from '../../../cli/deps.js';
import { registerDownload } from '../../../cli/commands/download.js';
import { registerWorkflow } from '../../../cli/commands/workflow.js';
import { cloudSession } from '../../../lib/cloud/session.js';
import { addExecution, addJob, fakeWithStacks } from './fixtures.js';
import type { FakeAws } from './fake-aws.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(
  aws: FakeAws,
  argv: string[],
  cwd = '/tmp',
): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CloudCommandDeps = {
    session: (o) => cloudSession({ region: o.region }, o.stackPrefix, aws.clients),
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: {},
    cwd,
  };
  const program = new Command('epycloud').exitOverride();
  registerWorkflow(program, () => deps);
  registerDownload(program, () => deps);
  await program.parseAsync(['node', 'epycloud', ...argv]);
  return { out: out.join(''), err: err.join('') };
}

describe('workflow commands', () => {
  it('lists the newest executions of one experiment, following pages', async () => {
    const aws = fakeWithStacks();
    for (let i = 0; i < 150; i++)
      addExecution(
        aws,
        `${i % 3 ? 'other' : 'flu'}--r${i}`,
        {},
        i === 147 ? 'FAILED' : 'SUCCEEDED',
      );
    const { out } = await run(aws, ['workflow', 'list', '--exp-id', 'flu', '--limit', '3']);
    expect(
      out
        .trim()
        .split('\n')
        .map((l) => l.split('  ').slice(0, 2).join(' ')),
    ).toEqual(['flu--r147 FAILED', 'flu--r144 SUCCEEDED', 'flu--r141 SUCCEEDED']);
    const failed = JSON.parse(
      (await run(aws, ['workflow', 'list', '--status', 'failed', '--json'])).out,
    ) as { name: string }[];
    expect(failed.map((e) => e.name)).toEqual(['flu--r147']);
  });

  it('rejects a bad --status naming the accepted values', async () => {
    await expect(run(fakeWithStacks(), ['workflow', 'list', '--status', 'DONE'])).rejects.toThrow(
      /--status: expected one of RUNNING, SUCCEEDED/,
    );
  });

  it('describes an execution with its stage progress, and cancels it', async () => {
    const aws = fakeWithStacks();
    const e = addExecution(aws, 'flu--r1', { expId: 'flu', runId: 'r1' });
    addJob(aws, {
      jobId: 'b',
      status: 'RUNNING',
      tags: { 'epycloud:stage': 'runner', 'epycloud:run_id': 'r1', 'epycloud:exp_id': 'flu' },
      arrayProperties: { size: 4, statusSummary: { SUCCEEDED: 1, RUNNING: 3 } },
    });
    aws.submitted(e, 'b');
    const { out } = await run(aws, ['workflow', 'describe', 'flu--r1']);
    expect(out).toContain('experiment flu, run r1');
    expect(out).toContain('B 1 done, 0 failed, 3 running of 4');
    expect((await run(aws, ['workflow', 'cancel', 'flu--r1'])).out).toBe(
      'flu--r1: stopped; terminated 1 Batch job(s)\n',
    );
    expect(aws.jobs.get('b')?.status).toBe('FAILED');
  });
});

describe('workflow describe: the run image', () => {
  const repo = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/epycloud';
  const digest = `sha256:${'e'.repeat(64)}`;
  /** Adds PrepareRun's exit (its output, `{ run, results }`) after a few other events. */
  function prepared(aws: FakeAws, name: string, image: unknown) {
    const e = addExecution(aws, name, { expId: 'flu', runId: name, imageTag: 'latest' });
    for (const type of ['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled'] as const)
      e.history.push({ id: e.history.length + 1, timestamp: new Date(), type });
    e.history.push({
      id: e.history.length + 1,
      timestamp: new Date(),
      type: 'TaskStateExited',
      stateExitedEventDetails: {
        name: 'PrepareRun',
        output: JSON.stringify({ run: { expId: 'flu', runId: name, image }, results: {} }),
      },
    });
    return e;
  }

  it("shows the image PrepareRun pinned the run to, from the execution's history", async () => {
    const aws = fakeWithStacks();
    prepared(aws, 'flu--r2', { requested: `${repo}:latest`, uri: `${repo}@${digest}`, digest });
    const { out } = await run(aws, ['workflow', 'describe', 'flu--r2']);
    expect(out).toContain(`  image ${repo}@${digest} (pinned from ${repo}:latest)\n`);
    const json = JSON.parse((await run(aws, ['workflow', 'describe', 'flu--r2', '--json'])).out);
    expect(json.image).toEqual({ requested: `${repo}:latest`, uri: `${repo}@${digest}`, digest });
  });

  it("says when a run keeps the job definitions' image, and shows nothing before PrepareRun", async () => {
    const aws = fakeWithStacks();
    prepared(aws, 'flu--r3', null);
    expect((await run(aws, ['workflow', 'describe', 'flu--r3'])).out).toContain(
      "  image: the job definitions' (no override)\n",
    );
    addExecution(aws, 'flu--r4', { expId: 'flu', runId: 'r4' });
    expect((await run(aws, ['workflow', 'describe', 'flu--r4'])).out).not.toContain('image');
  });
});

describe('download command', () => {
  it('copies the newest run outputs from the bucket under -o/<run-id>/', async () => {
    const aws = fakeWithStacks();
    aws.objects.set(
      'flu/runs/20260101-000000-aaaaaaaa/outputs/20260101-000100/q.csv.gz',
      new Uint8Array([31, 139]),
    );
    aws.objects.set(
      'flu/runs/20260101-000000-aaaaaaaa/outputs/20260101-000100/index.json',
      new Uint8Array([123, 125]),
    );
    dir = await mkdtemp(join(tmpdir(), 'epy-cmd-'));
    const { out, err } = await run(aws, ['download', '--exp-id', 'flu', '-d', 'dl'], dir);
    expect(out.trim().split('\n')).toEqual(
      ['index.json', 'q.csv.gz'].map((f) =>
        join(dir!, `dl/20260101-000000-aaaaaaaa/outputs/20260101-000100/${f}`),
      ),
    );
    expect(err).toContain('2 file(s) of run 20260101-000000-aaaaaaaa');
  });
});
