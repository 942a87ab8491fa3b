import type { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { wantsJson, wantsVerbose } from '../../../cli/conventions.js';
import { processCloudDeps, processDeps } from '../../../cli/deps.js';
import { buildProgram, runCommandLine } from '../../../cli/program.js';

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

/** Runs a command line on the real tree, in-process. */
const cli = (line: string): Promise<void> =>
  runCommandLine(buildProgram(), ['node', 'epycloud', ...line.split(' ')]);

const leaves = (command: Command): Command[] =>
  command.commands.length === 0 ? [command] : command.commands.flatMap(leaves);

describe('--output beside --json', () => {
  it('is on every command that prints JSON, with the choices json and table', () => {
    const withJson = leaves(buildProgram()).filter((c) =>
      c.options.some((o) => o.long === '--json'),
    );
    expect(withJson.length).toBeGreaterThan(10);
    for (const command of withJson) {
      const output = command.options.find((o) => o.long === '--output');
      expect(output?.argChoices, command.name()).toEqual(['json', 'table']);
    }
  });

  it('--output json prints what --json prints; --output table the text', async () => {
    await cli('validate examples/seir-ma --json');
    const json = stdout;
    stdout = '';
    await cli('validate examples/seir-ma --output json');
    expect(stdout).toBe(json);
    expect(JSON.parse(stdout)).toMatchObject({
      experiments: [{ expId: 'examples/seir-ma', ok: true }],
    });
    stdout = '';
    await cli('validate examples/seir-ma --output=table');
    expect(stdout).toBe('examples/seir-ma: OK (1 task)\n');
  });

  it('refuses --output table with --json, and an unknown format', async () => {
    await expect(cli('validate examples/seir-ma --output table --json')).rejects.toThrow(
      /--output table contradicts --json/,
    );
    await expect(cli('validate examples/seir-ma --output xml')).rejects.toMatchObject({
      code: 'commander.invalidArgument',
    });
  });

  it('is seen before parsing, for errors commander raises', () => {
    expect(wantsJson(['node', 'epycloud', 'run', 'workflow', '--json'])).toBe(true);
    expect(wantsJson(['node', 'epycloud', 'validate', '--output', 'json'])).toBe(true);
    expect(wantsJson(['node', 'epycloud', 'validate', '--output=json'])).toBe(true);
    expect(wantsJson(['node', 'epycloud', 'validate', '--output', 'table'])).toBe(false);
    expect(wantsVerbose(['node', 'epycloud', '-v', 'validate'])).toBe(true);
  });
});

describe('--quiet and --verbose', () => {
  it('are accepted before and after the subcommand, and not together', async () => {
    await cli('--quiet validate examples/seir-ma');
    await cli('validate examples/seir-ma -v');
    expect(stdout).toBe('examples/seir-ma: OK (1 task)\n'.repeat(2));
    await expect(cli('validate examples/seir-ma -q --verbose')).rejects.toMatchObject({
      code: 'commander.conflictingOption',
    });
  });

  it('--quiet silences what commands write on stderr, not their results', () => {
    for (const deps of [processDeps(undefined, 'quiet'), processCloudDeps('quiet')]) {
      deps.stderr('a note\n');
      deps.stdout('a result\n');
    }
    expect(stderr).toBe('');
    expect(stdout).toBe('a result\n'.repeat(2));
    processDeps(undefined, 'normal').stderr('a note\n');
    expect(stderr).toBe('a note\n');
    expect(processDeps(undefined, 'verbose').verbose).toBe(true);
  });
});
