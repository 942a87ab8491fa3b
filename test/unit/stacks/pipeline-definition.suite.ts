import validator from 'asl-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH_RETRY_ERRORS,
  BATCH_SUBMIT_JOB_SYNC,
} from '../../../lib/stacks/pipeline-definition.js';
import type { Template } from '../../../lib/rehearsal/intrinsics.js';
import { readRehearsalStack } from '../../../lib/rehearsal/stack-reader.js';
import { renderPipelineDefinition, resourcesOf } from './support.js';
import { PIPELINE_STATES } from '../../../lib/contract/pipeline.js';
import type { Fixtures } from './support.js';

type State = Record<string, unknown> & {
  Type: string;
  Resource?: string;
  ItemProcessor?: { States: Record<string, State> };
};
const allStates = (states: Record<string, State>): [string, State][] =>
  Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
  ]);

/** pipelineDefinitionSuite: registers its tests; `fixtures` is set by the caller's beforeAll. */
export function pipelineDefinitionSuite(fixtures: () => Fixtures): void {
  describe('the rendered state machine definition', () => {
    let definition: Record<string, unknown>;
    let resourceArns: Record<string, string>;
    beforeAll(() => {
      ({ definition, resourceArns } = renderPipelineDefinition(fixtures().dev));
    });

    it('is valid Amazon States Language', () => {
      const result = validator(structuredClone(definition));
      expect(result.errors).toEqual([]);
      expect(result.isValid).toBe(true);
    });

    it('matches the reviewed snapshot', async () => {
      await expect(`${JSON.stringify(definition, null, 2)}\n`).toMatchFileSnapshot(
        '__snapshots__/pipeline-definition.asl.json',
      );
    });

    it('resolves every reference to a placeholder ARN', () => {
      const text = JSON.stringify(definition);
      expect(text).not.toMatch(/Fn::|"Ref"|\$\{Token/);
      expect([...new Set(Object.values(resourceArns))].sort()).toEqual([
        expect.stringMatching(/^arn:aws:lambda:us-east-1:123456789012:function:PlanStageB/),
        expect.stringMatching(/^arn:aws:lambda:us-east-1:123456789012:function:PrepareRun/),
      ]);
    });

    it('submits to the queue by an ARN built from its fixed name, which is also its logical id (what the rehearsal resolves)', () => {
      const [queue] = resourcesOf(fixtures().dev, 'AWS::Batch::JobQueue');
      const name = queue?.Properties.JobQueueName;
      expect(name).toEqual(expect.any(String));
      expect(queue?.id).toBe(name);
      const queues = allStates(definition.States as Record<string, State>)
        .map(([, s]) => (s.Parameters as { JobQueue?: string } | undefined)?.JobQueue)
        .filter((q) => q !== undefined);
      expect(queues).toHaveLength(5);
      expect(new Set(queues)).toEqual(
        new Set([`arn:aws:batch:us-east-1:123456789012:job-queue/${String(name)}`]),
      );
    });

    it("names only a queue and job definitions the rehearsal's Batch stand-in knows from the templates", () => {
      const stack = readRehearsalStack(Object.values(fixtures().dev.templates) as Template[]);
      const queues = JSON.stringify(stack.definition).match(
        /arn:aws:batch:[^"]+:job-queue\/[^"]+/g,
      );
      expect(queues?.length).toBe(5);
      for (const queue of queues ?? []) expect(stack.queues).toContain(queue);
      const known = stack.jobDefinitions.map((d) => d.arn);
      expect(known).toHaveLength(3);
      expect(Object.values(stack.prepareConfig.jobDefinitions).sort()).toEqual([...known].sort());
    });

    it('waits on Batch with .sync integrations only: no Wait states, no polling loop', () => {
      const states = allStates(definition.States as Record<string, State>);
      expect(states.some(([, s]) => s.Type === 'Wait')).toBe(false);
      const batch = states.filter(([, s]) => s.Resource?.includes(':batch:'));
      expect(batch.map(([name]) => name).sort()).toEqual(
        [
          PIPELINE_STATES.stageA,
          PIPELINE_STATES.stageBSingle,
          PIPELINE_STATES.stageBArray,
          PIPELINE_STATES.stageBPart,
          PIPELINE_STATES.stageC,
        ].sort(),
      );
      for (const [, state] of batch) {
        expect(state.Resource).toBe(BATCH_SUBMIT_JOB_SYNC);
        expect(state.Retry).toEqual([expect.objectContaining({ ErrorEquals: BATCH_RETRY_ERRORS })]);
      }
    });

    it('never sets an AWS_BATCH* variable and fails N = 0 with a named error', () => {
      expect(JSON.stringify(definition)).not.toContain('AWS_BATCH');
      expect((definition.States as Record<string, State>)[PIPELINE_STATES.noTasks]).toEqual({
        Type: 'Fail',
        Error: 'Epycloud.NoTasks',
        CausePath: '$.plan.message',
      });
    });
  });
}
