import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CommanderError, type Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { reportError } from '../../../cli/error-report.js';
import { buildProgram } from '../../../cli/program.js';
import * as errors from '../../../lib/errors.js';
import { SpecError } from '../../../lib/engine/spec-problems.js';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

const doc = readFileSync(join(PROJECT_ROOT, 'docs', 'CLI.md'), 'utf8');

/** The text of a `##` or `###` section, up to the next heading of any level. */
function section(title: string): string {
  const start = doc
    .split('\n')
    .findIndex((l) => /^#{2,3} /.test(l) && l.replace(/^#+ /, '') === title);
  if (start < 0) return '';
  const rest = doc.split('\n').slice(start + 1);
  const end = rest.findIndex((l) => /^#{1,3} /.test(l));
  return rest.slice(0, end < 0 ? undefined : end).join('\n');
}

/** A markdown table's body rows, as trimmed cells. */
const tableRows = (text: string): string[][] =>
  text
    .split('\n')
    .filter((l) => l.startsWith('|') && !/^\|[-| ]+\|$/.test(l))
    .slice(1)
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );

/** Every runnable command: its path under `epycloud` and its own long flags. */
function leaves(command: Command, path: string[] = []): { path: string; flags: string[] }[] {
  if (command.commands.length === 0)
    return [{ path: path.join(' '), flags: command.options.map((o) => o.long!).filter(Boolean) }];
  return command.commands.flatMap((c) => leaves(c, [...path, c.name()]));
}

describe('docs/CLI.md', () => {
  it('documents every command and each of its options (itself or through a shared group)', () => {
    const groups = new Map(
      tableRows(section('Shared options')).map(([name, flags]) => [name!, flags!]),
    );
    for (const { path, flags } of leaves(buildProgram())) {
      const text = section(`epycloud ${path}`);
      expect(text, `a "### epycloud ${path}" section`).not.toBe('');
      const referenced = [...text.matchAll(/\[([^\]]+)\]\(#shared-options\)/g)].map((m) => m[1]!);
      const all = [text, ...referenced.map((g) => groups.get(g) ?? '')].join('\n');
      const missing = flags.filter((f) => !new RegExp(`\`(-\\w, )?${f}[ \`]`).test(all));
      expect(missing, `options of "epycloud ${path}" not in docs/CLI.md`).toEqual([]);
    }
  });

  it("lists every error class's code and exit code in the exit code table, and the CLI's own", () => {
    const rows = tableRows(section('Exit codes').replace(/`/g, '')).map(([exit, code, cls]) => ({
      exits: exit!.split(',').map(Number),
      code: code!,
      cls: cls!,
    }));
    const row = (code: string) => rows.find((r) => r.code === code);
    type ErrorClass = (new (...args: unknown[]) => errors.EpycloudError) & { name: string };
    const classes = ([...Object.values(errors), SpecError] as unknown[]).filter(
      (v): v is ErrorClass => typeof v === 'function' && v.prototype instanceof Error,
    );
    expect(classes.length).toBeGreaterThanOrEqual(10);
    for (const Class of classes) {
      // both signals, for InterruptedError; the others take them as their message
      for (const instance of [new Class('SIGINT', []), new Class('SIGTERM', [])]) {
        expect(row(instance.code), instance.code).toMatchObject({ cls: Class.name });
        expect(row(instance.code)?.exits).toContain(instance.exitCode);
      }
    }
    const usage = reportError(new CommanderError(1, 'commander.unknownOption', 'error: x'));
    expect(row('USAGE')?.exits).toEqual([usage.exitCode]);
    expect(row('INTERNAL')?.exits).toEqual([reportError(new Error('bug')).exitCode]);
  });

  it('lists every error code declared anywhere in the source', () => {
    const codes = new Set(tableRows(section('Exit codes').replace(/`/g, '')).map((r) => r[1]));
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory()
          ? walk(join(dir, e.name))
          : e.name.endsWith('.ts')
            ? [join(dir, e.name)]
            : [],
      );
    const declared = ['lib', 'cli', 'pipeline-scripts', 'lambdas']
      .flatMap((d) => walk(join(PROJECT_ROOT, d)))
      .flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/override readonly code = '(\w+)'/g)])
      .map((m) => m[1]);
    expect(declared.filter((c) => !codes.has(c))).toEqual([]);
  });
});
