/**
 * The deploy smoke test (integ/, `npm run integ`) is never deployed by CI; this synthesizes it
 * (no deploy, no bundling, no Docker) in both phases so its code cannot rot silently: the
 * assertion stack exists, is the integ manifest's assertion stack, uploads a snapshot the stages
 * accept, and starts and watches the deployed state machine.
 */
import { App } from 'aws-cdk-lib';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSmokeTest,
  cdkJsonFeatureFlags,
  INTEG_ASSERTION_STACK,
  INTEG_CONTEXT,
  INTEG_EXP_ID,
  INTEG_NUM_TASKS,
  RUNNER_MEMORY_MIB,
  type SmokePhase,
  type SmokeTest,
} from '../../../integ/smoke.js';
import { executionInputSchema } from '../../../lib/contract/execution.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { executionName } from '../../../lib/cloud/names.js';
import { loadExperiment } from '../../../lib/experiment/load.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { readVerifiedSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { Storage } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';
import { SYNTH_TIMEOUT } from '../stacks/support.js';

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string[];
};
type Template = {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name?: unknown } }>;
};
type IntegManifest = {
  testCases: Record<
    string,
    { stacks: string[]; assertionStack?: string; stackUpdateWorkflow?: boolean }
  >;
};

interface Synthesized {
  readonly smoke: SmokeTest;
  readonly integ: IntegManifest;
  readonly template: (stackName: string) => Template;
}

const dirs: string[] = [];

async function synthSmoke(phase: SmokePhase): Promise<Synthesized> {
  const outdir = mkdtempSync(join(tmpdir(), `epycloud-integ-${phase}-`));
  dirs.push(outdir);
  const app = new App({
    outdir,
    context: {
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:disable-asset-staging': true,
      [INTEG_CONTEXT.phase]: phase,
    },
    postCliContext: cdkJsonFeatureFlags(PROJECT_ROOT),
  });
  const smoke = await buildSmokeTest(app, { projectRoot: PROJECT_ROOT });
  const assembly = app.synth();
  const read = (file: string): unknown =>
    JSON.parse(readFileSync(join(assembly.directory, file), 'utf8'));
  return {
    smoke,
    integ: read('integ.json') as IntegManifest,
    template: (stackName) => read(`${stackName}.template.json`) as Template,
  };
}

/** The custom resources of one SDK call type (e.g. `S3putObject`) in the assertion stack. */
function calls(template: Template, call: string): [string, Resource][] {
  return Object.entries(template.Resources).filter(
    ([, r]) => r.Type === `Custom::DeployAssert@SdkCall${call}`,
  );
}

/** A literal SDK call parameter (the assertion provider JSON-encodes each one). */
function literal(resource: Resource, name: string): unknown {
  const encoded = (resource.Properties?.parameters as Record<string, unknown>)[name];
  expect(typeof encoded, `parameter ${name} is a literal`).toBe('string');
  return JSON.parse(encoded as string);
}

/** The `Fn::ImportValue` and `Fn::GetAtt` references inside a parameter. */
function references(value: unknown, kind: 'Fn::ImportValue' | 'Fn::GetAtt'): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => references(v, kind));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => (key === kind ? [v] : references(v, kind)));
}

/** What an export of `template` (by its export name) evaluates to. */
function exportedValue(template: Template, exportName: unknown): unknown {
  return Object.values(template.Outputs ?? {}).find((o) => o.Export?.Name === exportName)?.Value;
}

function logicalIdOf(template: Template, type: string): string {
  const ids = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0]!;
}

let initial: Synthesized;
let update: Synthesized;

beforeAll(async () => {
  initial = await synthSmoke('initial');
  update = await synthSmoke('update');
}, SYNTH_TIMEOUT);

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the deploy smoke test app (integ/integ.smoke.ts), synthesized', () => {
  it('declares one integ test case over the four epycloud stacks, with its assertion stack', () => {
    for (const { integ } of [initial, update]) {
      const cases = Object.values(integ.testCases);
      expect(cases).toHaveLength(1);
      expect(cases[0]).toMatchObject({
        stacks: [
          'EpycloudInteg-Storage',
          'EpycloudInteg-Compute',
          'EpycloudInteg-Pipeline',
          'EpycloudInteg-Monitoring',
        ],
        assertionStack: INTEG_ASSERTION_STACK,
        stackUpdateWorkflow: false,
      });
    }
    expect(initial.smoke.assertionStack.stackName).toBe(INTEG_ASSERTION_STACK);
    expect(initial.smoke.stacks.pipeline.stackName).toBe('EpycloudInteg-Pipeline');
  });

  it('starts and watches the state machine of the Pipeline stack, and reads only the data bucket', () => {
    const assertions = initial.template(INTEG_ASSERTION_STACK);
    const pipeline = initial.template('EpycloudInteg-Pipeline');
    const storage = initial.template('EpycloudInteg-Storage');
    const stateMachine = logicalIdOf(pipeline, 'AWS::StepFunctions::StateMachine');
    const starts = calls(assertions, 'StepFunctionsstartExecution');
    expect(starts).toHaveLength(2);
    for (const [, start] of starts) {
      const [imported] = references(start.Properties?.parameters, 'Fn::ImportValue');
      expect(exportedValue(pipeline, imported)).toEqual({ Ref: stateMachine });
    }
    // Every import is the state machine or the bucket: none changes when a job definition does,
    // so the update phase never meets "Export ... cannot be updated as it is in use".
    const bucket = 'DataBucket'; // its fixed logical id (docs/DEPLOY.md)
    expect(storage.Resources[bucket]?.Type).toBe('AWS::S3::Bucket');
    const allowed = [{ Ref: stateMachine }, { Ref: bucket }, { 'Fn::GetAtt': [bucket, 'Arn'] }];
    for (const { template } of [initial, update]) {
      for (const imported of references(
        template(INTEG_ASSERTION_STACK).Resources,
        'Fn::ImportValue',
      )) {
        const value =
          exportedValue(template('EpycloudInteg-Pipeline'), imported) ??
          exportedValue(template('EpycloudInteg-Storage'), imported);
        expect(allowed).toContainEqual(value);
      }
    }
  });

  it('initial: uploads a snapshot the stages accept (N = 2, manifest last), then starts the run as the CLI would', async () => {
    const assertions = initial.template(INTEG_ASSERTION_STACK);
    const run = initial.smoke.checkedRun;
    expect(run.runId).toBe('a-smoke');
    const layout = new RunLayout(INTEG_EXP_ID, run.runId);
    const [startId, start] = calls(assertions, 'StepFunctionsstartExecution').find(
      ([, r]) => literal(r, 'name') === executionName(INTEG_EXP_ID, run.runId),
    )!;
    expect(startId).toBeDefined();
    expect(executionInputSchema.parse(JSON.parse(literal(start, 'input') as string))).toMatchObject(
      { expId: INTEG_EXP_ID, runId: 'a-smoke', skipOutput: false },
    );

    // Walk the upload chain back from the start: each upload waits for the one before.
    const puts = new Map(calls(assertions, 'S3putObject'));
    const order: Resource[] = [];
    let next = start.DependsOn?.find((id) => puts.has(id));
    while (next !== undefined) {
      const put = puts.get(next)!;
      order.unshift(put);
      next = put.DependsOn?.find((id) => puts.has(id));
    }
    expect(order.map((r) => literal(r, 'Key'))).toEqual([
      layout.experimentFile('config/model.yaml'),
      layout.experimentFile('config/modelset.yaml'),
      layout.experimentFile('config/output.yaml'),
      layout.snapshotManifest,
    ]);
    const driver = new MemoryDriver();
    for (const put of order)
      await driver.put(
        literal(put, 'Key') as string,
        Buffer.from(literal(put, 'Body') as string, 'utf8'),
        literal(put, 'ContentType') as string,
      );
    const files = await readVerifiedSnapshot(new Storage(driver), layout);
    expect(loadExperiment(files).plan.tasks).toBe(INTEG_NUM_TASKS);
  });

  it('initial: waits for SUCCEEDED, then for outputs/<stamp>/index.json; aborts the run the update retries', () => {
    const assertions = initial.template(INTEG_ASSERTION_STACK);
    const waits = calls(assertions, 'StepFunctionsdescribeExecution').map(([, r]) => ({
      expected: JSON.parse(r.Properties?.expected as string) as unknown,
      actualPath: r.Properties?.actualPath,
      waiter: r.Properties?.stateMachineArn,
    }));
    expect(waits).toHaveLength(2);
    expect(waits).toContainEqual(
      expect.objectContaining({ expected: { $Exact: 'SUCCEEDED' }, actualPath: 'status' }),
    );
    expect(waits).toContainEqual(
      expect.objectContaining({ expected: { $Exact: 'ABORTED' }, actualPath: 'status' }),
    );
    for (const wait of waits) expect(wait.waiter).toBeDefined();
    expect(calls(assertions, 'StepFunctionsstopExecution')).toHaveLength(1);

    const lists = calls(assertions, 'S3listObjectsV2');
    expect(lists).toHaveLength(2);
    const outputs = new RunLayout(INTEG_EXP_ID, 'a-smoke').outputsPrefix;
    const [foldersId, folders] = lists.find(([, r]) => literal(r, 'Delimiter') === '/')!;
    expect(literal(folders, 'Prefix')).toBe(outputs);
    const [, index] = lists.find(([id]) => id !== foldersId)!;
    expect(references(index.Properties?.parameters, 'Fn::GetAtt')).toEqual([
      [foldersId, 'apiCallResponse.CommonPrefixes.0.Prefix'],
    ]);
    expect(index.Properties?.actualPath).toBe('KeyCount');
    expect(JSON.parse(index.Properties?.expected as string)).toEqual({ $Exact: 1 });
    // The listing waits for the run: it depends on the SUCCEEDED wait.
    const succeeded = calls(assertions, 'StepFunctionsdescribeExecution').find(([, r]) =>
      (r.Properties?.expected as string).includes('SUCCEEDED'),
    )!;
    expect(folders.DependsOn).toContain(succeeded[0]);
    expect(
      JSON.stringify(
        Object.values(assertions.Resources).filter((r) => r.Type === 'AWS::IAM::Role'),
      ),
    ).toContain('s3:ListBucket');
  });

  it('update: a bigger runner (a new job definition revision), and the aborted run retried as `workflow retry` does', () => {
    const runnerMemory = (synth: Synthesized): unknown => {
      const pipeline = synth.template('EpycloudInteg-Pipeline');
      const runner = Object.values(pipeline.Resources).find(
        (r) =>
          r.Type === 'AWS::Batch::JobDefinition' &&
          r.Properties?.JobDefinitionName === 'EpycloudInteg-runner',
      );
      const requirements = (
        runner?.Properties?.ContainerProperties as {
          ResourceRequirements: { Type: string; Value: string }[];
        }
      ).ResourceRequirements;
      return requirements.find((r) => r.Type === 'MEMORY')?.Value;
    };
    expect(runnerMemory(initial)).toBe(String(RUNNER_MEMORY_MIB.initial));
    expect(runnerMemory(update)).toBe(String(RUNNER_MEMORY_MIB.update));

    const assertions = update.template(INTEG_ASSERTION_STACK);
    expect(calls(assertions, 'S3putObject')).toEqual([]);
    const starts = calls(assertions, 'StepFunctionsstartExecution');
    expect(starts).toHaveLength(1);
    const [, start] = starts[0]!;
    expect(literal(start, 'name')).toMatch(
      new RegExp(`^${executionName(INTEG_EXP_ID, 'r-smoke')}-retry-\\d{8}-\\d{6}$`),
    );
    expect(literal(start, 'name')).toBe(update.smoke.checkedExecution);
    expect(JSON.parse(literal(start, 'input') as string)).toMatchObject({
      expId: INTEG_EXP_ID,
      runId: 'r-smoke',
    });
    const [, folders] = calls(assertions, 'S3listObjectsV2').find(
      ([, r]) => literal(r, 'Delimiter') === '/',
    )!;
    expect(literal(folders, 'Prefix')).toBe(new RunLayout(INTEG_EXP_ID, 'r-smoke').outputsPrefix);
  });
});
