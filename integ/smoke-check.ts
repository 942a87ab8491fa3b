/**
 * Checks and cleanup of the deploy smoke test, called by scripts/integ-smoke.sh (never by CI).
 * AWS calls use the SDK's standard chain (AWS_PROFILE, AWS_REGION), as the CLI does.
 *
 *   npx tsx integ/smoke-check.ts assertions <cdk outputs file>   every AssertionResults* is a success
 *   npx tsx integ/smoke-check.ts run <file>                      `epycloud run workflow --json` succeeded with N = 2
 *   npx tsx integ/smoke-check.ts outputs <download dir> <run>    the download holds outputs/<stamp>/index.json
 *   npx tsx integ/smoke-check.ts status                          prints execution.status of `workflow describe --json` (stdin)
 *   npx tsx integ/smoke-check.ts revisions                       both runner sizes are ACTIVE revisions (the update kept the old one)
 *   npx tsx integ/smoke-check.ts repository                      prints the deployed RepositoryUri (empty when not deployed)
 *   npx tsx integ/smoke-check.ts cleanup [<repository URI>]      deregisters the smoke job definitions, deletes the retained repository and Lambda's own log groups
 */
import {
  BatchClient,
  DeregisterJobDefinitionCommand,
  paginateDescribeJobDefinitions,
} from '@aws-sdk/client-batch';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CloudWatchLogsClient,
  DeleteLogGroupCommand,
  paginateDescribeLogGroups,
} from '@aws-sdk/client-cloudwatch-logs';
import { DeleteRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { STACK_OUTPUTS } from '../lib/contract/execution.js';
import { stageJobDefinitionNames } from '../lib/constructs/stage-job-definitions.js';
import { outputFolders } from '../lib/run/output-folders.js';
import {
  INTEG_ASSERTION_STACK,
  INTEG_NUM_TASKS,
  INTEG_STACK_PREFIX,
  RUNNER_MEMORY_MIB,
} from './smoke.js';

const readJson = async (file: string): Promise<unknown> =>
  JSON.parse(await readFile(file, 'utf8')) as unknown;

function fail(message: string): never {
  console.error(`integ-smoke: ${message}`);
  process.exit(1);
}

/** `cdk deploy --outputs-file`: every assertion of the assertion stack reported success. */
async function assertions(file: string): Promise<void> {
  const outputs = (await readJson(file)) as Record<string, Record<string, string>>;
  const results = Object.entries(outputs[INTEG_ASSERTION_STACK] ?? {}).filter(([key]) =>
    key.startsWith('AssertionResults'),
  );
  if (results.length === 0)
    fail(`no AssertionResults outputs of ${INTEG_ASSERTION_STACK} in ${file}`);
  const failed = results.filter(([, value]) => {
    try {
      return (JSON.parse(value) as { status?: string }).status !== 'success';
    } catch {
      return true;
    }
  });
  for (const [key, value] of failed) console.error(`  ${key}: ${value}`);
  if (failed.length > 0) fail(`${failed.length} of ${results.length} assertions failed`);
  console.log(`integ-smoke: ${results.length} assertions passed`);
}

/** `epycloud run workflow --wait --json`: succeeded, with the experiment's N tasks. */
async function run(file: string): Promise<void> {
  const result = (await readJson(file)) as { status?: string; numTasks?: number; runId?: string };
  if (result.status !== 'succeeded' || result.numTasks !== INTEG_NUM_TASKS)
    fail(`run ${result.runId ?? '?'}: ${JSON.stringify(result)}`);
  console.log(`integ-smoke: run ${result.runId} succeeded with ${result.numTasks} tasks`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
}

/** `epycloud download -o <dir>` put a finished output folder of the run under `<dir>/<run>/`. */
async function outputs(dir: string, runId: string): Promise<void> {
  const { finished } = outputFolders(await filesUnder(join(dir, runId)));
  if (finished.length === 0) fail(`no outputs/<stamp>/index.json under ${join(dir, runId)}`);
  console.log(`integ-smoke: downloaded ${runId}/outputs/${finished.join(', ')}/index.json`);
}

/** The status of `epycloud workflow describe --json` read from stdin. */
async function status(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    execution?: { status?: string };
  };
  console.log(parsed.execution?.status ?? 'UNKNOWN');
}

const runnerName = stageJobDefinitionNames(INTEG_STACK_PREFIX).runner;

/** The update kept the first revision ACTIVE beside the new, bigger one (SkipDeregisterOnUpdate). */
async function revisions(): Promise<void> {
  const client = new BatchClient({});
  const memory = new Set<string>();
  for await (const page of paginateDescribeJobDefinitions(
    { client },
    { jobDefinitionName: runnerName, status: 'ACTIVE' },
  ))
    for (const definition of page.jobDefinitions ?? [])
      for (const requirement of definition.containerProperties?.resourceRequirements ?? [])
        if (requirement.type === 'MEMORY' && requirement.value) memory.add(requirement.value);
  const wanted = Object.values(RUNNER_MEMORY_MIB).map(String);
  if (!wanted.every((value) => memory.has(value)))
    fail(
      `ACTIVE revisions of ${runnerName} have MEMORY ${[...memory].join(', ')}; want ${wanted.join(' and ')}`,
    );
  console.log(`integ-smoke: ${runnerName} has ACTIVE revisions with ${wanted.join(' and ')} MiB`);
}

/** The Compute stack's RepositoryUri, or nothing when the stack is not deployed. */
async function repository(): Promise<void> {
  try {
    const { Stacks } = await new CloudFormationClient({}).send(
      new DescribeStacksCommand({ StackName: `${INTEG_STACK_PREFIX}-Compute` }),
    );
    const uri = Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === STACK_OUTPUTS.repositoryUri);
    console.log(uri?.OutputValue ?? '');
  } catch {
    console.log('');
  }
}

/**
 * What `cdk destroy` leaves: ACTIVE revisions of the smoke job definitions (kept on update by
 * design), the always-retained image repository (only one under the smoke prefix), and the log
 * groups Lambda created itself for the stacks' custom-resource functions.
 */
async function cleanup(repositoryUri: string | undefined): Promise<void> {
  const batch = new BatchClient({});
  for (const name of Object.values(stageJobDefinitionNames(INTEG_STACK_PREFIX))) {
    for await (const page of paginateDescribeJobDefinitions(
      { client: batch },
      { jobDefinitionName: name, status: 'ACTIVE' },
    ))
      for (const definition of page.jobDefinitions ?? []) {
        if (definition.jobDefinitionArn === undefined) continue;
        await batch.send(
          new DeregisterJobDefinitionCommand({ jobDefinition: definition.jobDefinitionArn }),
        );
        console.log(`integ-smoke: deregistered ${name}:${definition.revision}`);
      }
  }
  const logs = new CloudWatchLogsClient({});
  const logPrefix = `/aws/lambda/${INTEG_STACK_PREFIX}-`;
  for await (const page of paginateDescribeLogGroups(
    { client: logs },
    { logGroupNamePrefix: logPrefix },
  ))
    for (const group of page.logGroups ?? []) {
      if (!group.logGroupName?.startsWith(logPrefix)) continue;
      await logs.send(new DeleteLogGroupCommand({ logGroupName: group.logGroupName }));
      console.log(`integ-smoke: deleted log group ${group.logGroupName}`);
    }
  const repositoryName = repositoryUri?.split('/').slice(1).join('/');
  if (!repositoryName) return;
  if (!repositoryName.startsWith(INTEG_STACK_PREFIX.toLowerCase()))
    fail(`not deleting ${repositoryUri}: not a repository of the ${INTEG_STACK_PREFIX} stacks`);
  try {
    await new ECRClient({}).send(new DeleteRepositoryCommand({ repositoryName, force: true }));
    console.log(`integ-smoke: deleted the retained repository ${repositoryName}`);
  } catch (error) {
    if ((error as Error).name !== 'RepositoryNotFoundException') throw error;
  }
}

const [command, ...args] = process.argv.slice(2);
const commands: Record<string, () => Promise<void>> = {
  assertions: () => assertions(args[0] ?? fail('assertions <cdk outputs file>')),
  run: () => run(args[0] ?? fail('run <file>')),
  outputs: () =>
    outputs(args[0] ?? fail('outputs <dir> <run id>'), args[1] ?? fail('outputs <dir> <run id>')),
  status,
  revisions,
  repository,
  cleanup: () => cleanup(args[0]),
};
const action = commands[command ?? ''];
if (action === undefined) fail(`usage: smoke-check.ts ${Object.keys(commands).join('|')} ...`);
await action();
