import { describe, expect, it } from 'vitest';
import type { WorkflowResult } from '../../../lib/backend/types.js';
import { renderExperiments, renderPlan } from '../../../cli/render.js';

const planned: WorkflowResult = {
  status: 'planned',
  backend: 'local',
  runtime: 'process',
  expId: 'examples/flu-states-sampling',
  runId: 'r1',
  numTasks: 24,
  durationsMs: {},
  totalMs: 0,
  failedTasks: [],
  retriedTasks: [],
};

describe('renderPlan', () => {
  it('says what a dry run would cost before it runs', () => {
    const plan = {
      tasks: 24,
      locations: 4,
      samplesPerLocation: 6,
      stepsPerTask: 239,
      simulationsPerTask: 100,
      trajectoriesPerTask: 100,
      datesPerTask: 35,
      series: 10,
      groups: 5,
      resultBytesPerTask: 1_400_000,
    };
    expect(renderPlan({ ...planned, plan }, 2)).toBe(
      'Plan: run r1 of examples/flu-states-sampling: 24 task(s), 2 at a time, runtime process; nothing was written (dry run)\n' +
        '  cost: 24 task(s) (4 location(s) x 6 sample(s)), each up to 100 simulation(s) of 239 step(s); results about 1.3 MiB per task, 32 MiB in all\n',
    );
    expect(renderPlan(planned, 2)).not.toContain('cost:');
  });

  it('names the image of an experiment run by its own image instead of a task count', () => {
    expect(renderPlan({ ...planned, numTasks: 0, image: 'python-model:local' }, 2)).toBe(
      'Plan: run r1 of examples/flu-states-sampling: stages in image python-model:local, tasks as its Stage A decides, ' +
        '2 at a time, runtime process; nothing was written (dry run)\n',
    );
  });
});

describe('renderExperiments', () => {
  it("shows each run's record at a glance, and nothing for a run without one", () => {
    const text = renderExperiments([
      {
        expId: 'flu',
        hasConfig: true,
        runs: [
          {
            runId: 'r2',
            state: 'complete',
            numTasks: 24,
            results: 24,
            outputs: 1,
            record: {
              state: 'succeeded',
              startedBy: 'ana@lab',
              git: { commit: '0123456789abcdef', dirty: true },
              cacheHits: 23,
            },
          },
          { runId: 'r1', state: 'built', numTasks: 24, results: 0, outputs: 0 },
        ],
      },
    ]);
    expect(text).toBe(
      'flu: 2 run(s)\n' +
        '  r2  complete  tasks 24  results 24  outputs 1  [succeeded, by ana@lab, git 01234567 (dirty), 23 cached]\n' +
        '  r1  built  tasks 24  results 0  outputs 0\n',
    );
  });
});
