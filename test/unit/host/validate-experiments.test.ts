import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NotFoundError, StageError } from '../../../lib/errors.js';
import { parseProblem, validateExperiments } from '../../../lib/host/validate-experiments.js';
import type { ExperimentSource } from '../../../lib/host/experiment-source.js';

describe('parseProblem', () => {
  it('splits the shapes lib/experiment writes into file, path, line and message', () => {
    const cases = [
      'config/model.yaml: model.compartments[1].init (line 9): expected a count >= 0',
      'config/model.yaml (line 3): invalid YAML: bad indentation',
      'config/model.yaml: model.parameters.beta: "b * 2" evaluates to -1 in US-MA; expected a rate >= 0',
      'data/age.csv: fractions of US-MA sum to 0.9, expected 1',
      'config/: no *.yaml files found: expected at least config/model.yaml with a "model:" root',
      'OUTPUT_CONFIG_FILE="x.yaml" names no output config: expected one of config/output.yaml',
    ];
    expect(cases.map(parseProblem).map(({ text, ...rest }) => (void text, rest))).toEqual([
      {
        file: 'config/model.yaml',
        path: 'model.compartments[1].init',
        line: 9,
        message: 'expected a count >= 0',
      },
      { file: 'config/model.yaml', line: 3, message: 'invalid YAML: bad indentation' },
      {
        file: 'config/model.yaml',
        path: 'model.parameters.beta',
        message: '"b * 2" evaluates to -1 in US-MA; expected a rate >= 0',
      },
      { file: 'data/age.csv', message: 'fractions of US-MA sum to 0.9, expected 1' },
      {
        file: 'config/',
        message: 'no *.yaml files found: expected at least config/model.yaml with a "model:" root',
      },
      { message: cases[5] },
    ]);
  });
});

describe('validateExperiments', () => {
  it('refuses --all over a folder without experiments, and throws what is not a ConfigError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'epycloud-validate-experiments-'));
    try {
      await expect(validateExperiments(dir, { all: true })).rejects.toBeInstanceOf(NotFoundError);
      await mkdir(join(dir, 'exp', 'config'), { recursive: true });
      const broken: ExperimentSource = {
        validate: async () => Promise.reject(new StageError('disk on fire')),
        snapshot: async () => undefined,
      };
      await expect(validateExperiments(dir, { all: true }, broken)).rejects.toBeInstanceOf(
        StageError,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
