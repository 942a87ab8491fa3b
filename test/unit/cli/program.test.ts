import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { reportError } from '../../../cli/error-report.js';
import { buildProgram, runCommandLine } from '../../../cli/program.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

let stderr = '';
beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

/** Parses a command line on the real command tree, in-process; resolves to commander's refusal (none when it ran). */
async function refusal(line: string): Promise<CommanderError | undefined> {
  try {
    await runCommandLine(buildProgram(), ['node', 'epycloud', ...line.split(' ')]);
    return undefined;
  } catch (error) {
    if (error instanceof CommanderError) return error;
    throw error;
  }
}

/** Every command path of the tree, groups included ('' is the root). */
function paths(command: Command, prefix = ''): { path: string; group: boolean }[] {
  const own = { path: prefix, group: command.commands.length > 0 };
  return [
    own,
    ...command.commands
      .filter((c) => c.name() !== 'help')
      .flatMap((c) => paths(c, `${prefix} ${c.name()}`.trim())),
  ];
}

const ALL = paths(buildProgram());

describe('unknown commands and options', () => {
  it('refuse an unknown command with a suggestion and exit 2, also with --help or after help', async () => {
    for (const line of ['validte', 'validte --help', 'help validte', 'validte -h']) {
      const error = await refusal(line);
      expect(error?.code, line).toBe('commander.unknownCommand');
      expect(error?.message).toBe("error: unknown command 'validte'\n(Did you mean validate?)");
      expect(reportError(error).exitCode).toBe(2);
    }
  });

  it.each(ALL.filter((p) => p.group))(
    'refuse an unknown subcommand of "$path", with and without --help',
    async ({ path }) => {
      for (const line of [`${path} frob`, `${path} frob --help`]) {
        const error = await refusal(line.trim());
        expect(error?.code, line).toBe('commander.unknownCommand');
        expect(reportError(error).exitCode).toBe(2);
      }
    },
  );

  it.each(ALL)(
    'refuse an unknown option of "$path", before help or missing options',
    async ({ path }) => {
      for (const line of [`${path} --frob`, `${path} --frob --help`, `${path} --help --frob`]) {
        const error = await refusal(line.trim());
        expect(error?.code, line).toBe('commander.unknownOption');
        expect(error?.message).toMatch(/^error: unknown option '--frob'/);
        expect(reportError(error).exitCode).toBe(2);
      }
    },
  );

  it('suggest the option meant', async () => {
    expect((await refusal('run workflow --exp-di x'))?.message).toBe(
      "error: unknown option '--exp-di'\n(Did you mean --exp-id?)",
    );
    expect((await refusal('validate --jsn'))?.message).toBe(
      "error: unknown option '--jsn'\n(Did you mean --json?)",
    );
    expect(stderr).toContain('(Did you mean --json?)');
  });

  it('let valid command lines through: option values are not commands or options', async () => {
    for (const line of [
      '--help',
      'help run',
      'run workflow --exp-id validte --parallelism 2 --help',
      'run workflow --exp-id=x --retries=1 --help',
      'download -d out --exp-id x -h',
      'validate --local-dir -- --help',
      'run --help',
    ])
      expect((await refusal(line))?.exitCode, line).toBe(0); // help printed
    expect(await refusal('completion bash')).toBeUndefined();
  });
});

/** Runs the installed CLI (cli/epycloud.mjs) as a process. */
function runCli(
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'cli', 'epycloud.mjs'), ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: out, stderr: err }));
  });
}

describe('the CLI process', () => {
  it('exits 2 for an unknown command with --help, printing no help; prints --json errors on stderr', async () => {
    const [typo, missing] = await Promise.all([
      runCli(['validte', '--help']),
      runCli(['validate', 'examples/no-such-experiment', '--json']),
    ]);
    expect(typo).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: unknown command 'validte'\n(Did you mean validate?)\n",
    });
    expect(missing.code).toBe(3);
    expect(missing.stdout).toBe('');
    const lines = missing.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^epycloud: Not found: examples\/no-such-experiment \(in .*\)$/);
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      error: { code: 'NOT_FOUND', message: expect.stringMatching(/^Not found: examples\//) },
    });
  }, 120_000);
});
