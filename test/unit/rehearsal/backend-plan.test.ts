import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lib/errors.js';
import { createRehearsalBackend } from '../../../lib/rehearsal/backend.js';

const paths = {
  projectRoot: '/p',
  localDir: '/p/local',
  experimentsDir: '/p/local/forecast/experiments',
  bucketDir: '/p/local/bucket',
};

/** The rehearsal back end over an experiment that runs in its own image (validation stood in). */
const backend = createRehearsalBackend({
  paths,
  hostEnv: {},
  experiments: {
    validate: async () => ({ numTasks: undefined, stageImage: { image: 'm:1' } }),
    snapshot: async () => {
      throw new Error('a plan writes nothing');
    },
  },
});

const plan = { expId: 'own', parallelism: 1, retries: 0, dryRun: true };

describe('rehearsal --dry-run of an experiment with its own image', () => {
  it('plans with the image named instead of a task count', async () => {
    expect(await backend.runWorkflow(plan, () => {})).toMatchObject({
      status: 'planned',
      image: 'm:1',
      numTasks: 0,
    });
  });

  it('refuses what the run would refuse: host processes, another image', async () => {
    await expect(
      backend.runWorkflow({ ...plan, runtime: 'process' } as typeof plan, () => {}),
    ).rejects.toThrow(/host processes cannot run an image.*--runtime docker/s);
    await expect(
      backend.runWorkflow({ ...plan, imageTag: 'v2' } as typeof plan, () => {}),
    ).rejects.toThrow(ValidationError);
  });
});
