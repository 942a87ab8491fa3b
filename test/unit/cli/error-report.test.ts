import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { alreadyPrinted, reportError } from '../../../cli/error-report.js';
import { ConfigError, StageError, ValidationError } from '../../../lib/errors.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';
import { SIR_MODEL } from '../experiment/fixtures.js';

describe('reportError', () => {
  it('gives a ConfigError its code, headline and problems as JSON, and the full text for stderr', () => {
    const report = reportError(
      new ConfigError('Experiment configuration is invalid (1 problem)', [
        'config/model.yaml (line 3): bad',
      ]),
    );
    expect(report.exitCode).toBe(2);
    expect(report.text).toBe(
      'epycloud: Experiment configuration is invalid (1 problem)\n  - config/model.yaml (line 3): bad\n',
    );
    expect(report.json).toEqual({
      error: {
        code: 'CONFIG',
        message: 'Experiment configuration is invalid (1 problem)',
        problems: ['config/model.yaml (line 3): bad'],
      },
    });
  });

  it('reports usage errors with exit code 2, help with 0 and nothing, bugs as INTERNAL', () => {
    const usage = reportError(
      new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"),
    );
    expect(usage).toEqual({
      exitCode: 2,
      text: '',
      json: { error: { code: 'USAGE', message: "unknown option '--x'" } },
    });
    expect(reportError(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({
      exitCode: 0,
      text: '',
    });
    const bug = reportError(new TypeError('boom'));
    expect(bug).toMatchObject({
      exitCode: 1,
      json: { error: { code: 'INTERNAL', message: 'boom' } },
    });
    expect(bug.text).toMatch(/^epycloud: unexpected error: boom\n.*--verbose/);
    expect(bug.text).not.toMatch(/ at /);
    expect(reportError(new TypeError('boom'), true).text).toMatch(/TypeError: boom\n\s+at /);
    expect(reportError(new ValidationError('bad id')).json).toEqual({
      error: { code: 'VALIDATION', message: 'bad id' },
    });
  });

  it('gives a failure whose summary was printed on stdout its JSON object for stderr too', () => {
    expect(reportError(alreadyPrinted(new StageError('Stage runner failed'))).json).toEqual({
      error: { code: 'STAGE', message: 'Stage runner failed' },
    });
  });
});

describe('the CLI with --json', () => {
  it('prints a refused experiment as a JSON error object, the last line of stderr, and exits 2', () => {
    const local = mkdtempSync(join(tmpdir(), 'epycloud-json-'));
    try {
      mkdirSync(join(local, 'forecast', 'experiments', 'bad', 'config'), { recursive: true });
      writeFileSync(
        join(local, 'forecast', 'experiments', 'bad', 'config', 'model.yaml'),
        SIR_MODEL.replace('  random_seed: 1\n', '  random_seed: 1\n  random_seed: 2\n'),
      );
      const args = [
        'run',
        'workflow',
        '--local',
        '--local-dir',
        local,
        '--runtime',
        'process',
        '--exp-id',
        'bad',
        '--dry-run',
        '--json',
      ];
      const run = spawnSync(
        process.execPath,
        [join(PROJECT_ROOT, 'cli', 'epycloud.mjs'), ...args],
        { encoding: 'utf8', timeout: 60_000 },
      );
      expect(run.status, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^epycloud: Experiment configuration is invalid \(1 problem\)\n/);
      expect(JSON.parse(run.stderr.trimEnd().split('\n').at(-1)!)).toEqual({
        error: {
          code: 'CONFIG',
          message: 'Experiment configuration is invalid (1 problem)',
          problems: [
            'config/model.yaml: model.random_seed (line 4): duplicate key "random_seed" (first on line 3): expected each key once',
          ],
        },
      });
    } finally {
      rmSync(local, { recursive: true, force: true });
    }
  });
});
