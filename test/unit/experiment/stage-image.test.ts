import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stageImageCommand } from '../../../lib/contract/stage-image.js';
import { ConfigError } from '../../../lib/errors.js';
import { validateExperimentDir } from '../../../lib/experiment/snapshot.js';
import { readStageImage } from '../../../lib/experiment/stage-image.js';
import { loadExperiment } from '../../../lib/experiment/load.js';
import { SIR_MODEL } from './fixtures.js';

const files = (entries: Record<string, string>): Map<string, string> =>
  new Map(Object.entries(entries));

/** The problems of the ConfigError `read` throws. */
function problemsOf(read: () => unknown): readonly string[] {
  try {
    read();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('an experiment naming its own stage image (stages:)', () => {
  it('is found by its root key in any config file, commands defaulting to the stage name', () => {
    const declared = readStageImage(
      files({
        'config/model.json': '{"beta": 0.4}',
        'config/run-in.yml':
          'stages:\n  image: registry.example.org/team/model:1.2\n  commands:\n    runner: [python3, run.py]\n',
      }),
    );
    expect(declared?.image).toBe('registry.example.org/team/model:1.2');
    expect(stageImageCommand(declared!, 'runner')).toEqual(['python3', 'run.py']);
    expect(stageImageCommand(declared!, 'builder')).toEqual(['builder']);
  });

  it('is absent for a built-in experiment', () => {
    expect(readStageImage(files({ 'config/model.yaml': SIR_MODEL }))).toBeUndefined();
  });

  it('names file, field and line of every problem', () => {
    const problems = problemsOf(() =>
      readStageImage(
        files({
          'config/stages.yaml':
            'stages:\n  image: My Model\n  commands:\n    runner: []\n    render: [x]\n',
        }),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^config\/stages\.yaml: stages\.image \(line 2\): expected an image reference/,
      ),
      expect.stringMatching(
        /^config\/stages\.yaml: stages\.commands\.runner \(line 4\): expected a command/,
      ),
      expect.stringMatching(
        /^config\/stages\.yaml: stages\.commands\.render \(line 5\): unknown key\(s\) "render"/,
      ),
    ]);
  });

  it('refuses a second stages config and other roots in its file', () => {
    const problems = problemsOf(() =>
      readStageImage(
        files({
          'config/a.yaml': 'stages:\n  image: m:1\nmodel:\n  name: x\n',
          'config/b.yaml': 'stages:\n  image: m:2\n',
        }),
      ),
    );
    expect(problems).toEqual([
      expect.stringContaining(
        'config/b.yaml: stages (line 2): a second "stages:" config (the first is config/a.yaml)',
      ),
      expect.stringContaining(
        'config/a.yaml (line 1): expected "stages:" as the file\'s only root key; got stages, model',
      ),
    ]);
  });
});

describe('validating a folder whose experiment runs in its own image', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('checks only the stages config: the image reads its own configs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'epycloud-foreign-'));
    await mkdir(join(dir, 'config'));
    await writeFile(join(dir, 'config', 'stages.yaml'), 'stages:\n  image: python-model:local\n');
    await writeFile(join(dir, 'config', 'model.yaml'), 'model: {anything: the image reads}\n');
    await writeFile(join(dir, 'config', 'model.json'), '{"not": "epycloud\'s"}');
    const checked = await validateExperimentDir(dir);
    expect(checked).toMatchObject({
      numTasks: undefined,
      stageImage: { image: 'python-model:local' },
    });
    expect(checked.files).toEqual(['config/model.json', 'config/model.yaml', 'config/stages.yaml']);
  });

  it('still fails a built-in experiment on its own schema', async () => {
    dir = await mkdtemp(join(tmpdir(), 'epycloud-foreign-'));
    await mkdir(join(dir, 'config'));
    await writeFile(join(dir, 'config', 'model.yaml'), 'model: {anything: the image reads}\n');
    await expect(validateExperimentDir(dir)).rejects.toThrow(ConfigError);
  });
});

describe('the built-in engine given an experiment with its own image', () => {
  it('refuses it naming the image, not as a config it cannot read', () => {
    const problems = problemsOf(() =>
      loadExperiment(
        files({
          'config/stages.yaml': 'stages:\n  image: python-model:local\n',
          'config/model.json': '{}',
        }),
      ),
    );
    expect(problems).toEqual([
      expect.stringMatching(
        /^config\/stages\.yaml: stages \(line 2\): this experiment runs in its own image python-model:local, not the built-in engine: .*epycloud run workflow/,
      ),
    ]);
  });
});
