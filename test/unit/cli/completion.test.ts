import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildProgram, runCommandLine } from '../../../cli/program.js';

const dir = mkdtempSync(join(tmpdir(), 'epycloud-completion-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What `epycloud completion <shell>` prints, saved to a file. */
async function script(shell: string): Promise<string> {
  let out = '';
  const spy = vi
    .spyOn(process.stdout, 'write')
    .mockImplementation((s) => ((out += String(s)), true));
  try {
    await runCommandLine(buildProgram(), ['node', 'epycloud', 'completion', shell]);
  } finally {
    spy.mockRestore();
  }
  const file = join(dir, `epycloud.${shell}`);
  writeFileSync(file, out);
  return file;
}

/** Every command of the tree with the words registered on it: subcommands, flags, help. */
function registered(command: Command, path: string[] = []): { path: string[]; words: string[] }[] {
  const words = [
    ...command.commands.map((c) => c.name()),
    ...command.options.flatMap((o) => [o.short, o.long].filter((f) => f !== undefined)),
    '-h',
    '--help',
  ];
  return [{ path, words }, ...command.commands.flatMap((c) => registered(c, [...path, c.name()]))];
}

const q = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** Runs bash's completion function of `file` on each line (words before the cursor); returns the replies. */
function bashReplies(file: string, lines: readonly string[][]): string[][] {
  const calls = lines.map(
    (words) =>
      `COMP_WORDS=(epycloud ${words.map(q).join(' ')}); COMP_CWORD=${words.length}; COMPREPLY=(); _epycloud; echo "\${COMPREPLY[*]}"`,
  );
  const out = execFileSync('bash', ['-c', [`source ${q(file)}`, ...calls].join('\n')], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .slice(0, lines.length)
    .map((l) => (l === '' ? [] : l.split(' ')));
}

describe('epycloud completion bash', () => {
  it('registers a completion function for epycloud', async () => {
    const file = await script('bash');
    const out = execFileSync('bash', ['-c', `source ${q(file)}; complete -p epycloud`], {
      encoding: 'utf8',
    });
    expect(out).toBe('complete -o default -F _epycloud epycloud\n');
  });

  it('completes every registered command and option of every command', async () => {
    const tree = registered(buildProgram());
    const replies = bashReplies(
      await script('bash'),
      tree.map((t) => [...t.path, '']),
    );
    tree.forEach((t, i) =>
      expect(replies[i], t.path.join(' ')).toEqual(expect.arrayContaining(t.words)),
    );
    expect(tree.find((t) => t.path.join(' ') === 'validate')?.words).toContain('--local-dir');
  });

  it('completes choices and prefixes, and leaves free values to file names', async () => {
    const replies = bashReplies(await script('bash'), [
      ['vali'],
      ['build', 'local', '--target', ''],
      ['run', 'workflow', '--exp-id', 'x', '--runtime', 'p'],
      ['completion', ''],
      ['validate', '--local-dir', ''],
      ['run', 'workflow', '--ru'],
    ]);
    expect(replies).toEqual([
      ['validate'],
      ['local', 'cloud', 'all'],
      ['process'],
      ['bash', 'zsh', '-h', '--help'],
      [],
      ['--runtime', '--run-id'],
    ]);
  });
});

const hasZsh = spawnSync('zsh', ['--version']).status === 0;

describe('epycloud completion zsh', () => {
  it.skipIf(!hasZsh)('offers subcommands with their descriptions, and choices', async () => {
    const file = await script('zsh');
    // zsh's completion builtins replaced by stubs that print what they are given
    const stubs = [
      'compdef() { print -r -- "compdef $*"; }',
      '_describe() { print -rl -- "${(@P)${@[-1]}}"; }',
      'compadd() { shift; print -rl -- "$@"; }',
      `source ${q(file)}`,
      'words=(epycloud run ""); CURRENT=3; _epycloud',
      'words=(epycloud build local --target ""); CURRENT=5; _epycloud',
    ];
    const out = execFileSync('zsh', ['-f', '-c', stubs.join('\n')], { encoding: 'utf8' });
    expect(out.split('\n')).toEqual([
      'compdef _epycloud epycloud',
      'workflow:run Stage A, the Stage B tasks in parallel, then Stage C',
      'job:run one stage of a run alone (A|B|C|builder|runner|output)',
      'help:display help for command',
      '-h:display help for command',
      '--help:display help for command',
      'local',
      'cloud',
      'all',
      '',
    ]);
  });
});
