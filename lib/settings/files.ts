import { access, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { fileSchema, PROFILE_KEY, SETTING_KEYS, type SettingsFile } from './schema.js';

/** Names of the project file, looked for in the working directory and each folder above it. */
export const PROJECT_FILE_NAMES = ['epycloud.yaml', 'epycloud.yml'] as const;

/** The user file: `$XDG_CONFIG_HOME/epycloud/config.yaml`, else `~/.config/epycloud/config.yaml`. */
export function userFilePath(
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(home, '.config');
  return join(base, 'epycloud', 'config.yaml');
}

/** Whether a path exists. */
export const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

/** The nearest project file from `cwd` up to the file system's root, or undefined (c12 looks in one folder only). */
export async function findProjectFile(cwd: string): Promise<string | undefined> {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of PROJECT_FILE_NAMES) {
      if (await exists(join(dir, name))) return join(dir, name);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The settings files of a place: the project file found from `cwd` up (if any), then the user file. */
export async function settingsPaths(
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
  home: string,
): Promise<{ readonly project?: string | undefined; readonly user: string }> {
  return { project: await findProjectFile(cwd), user: userFilePath(env, home) };
}

/** `file: key: message` for each zod issue; an unknown key lists the known ones. */
export function problemsOf(issues: readonly z.core.$ZodIssue[], where: string): string[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String);
    const known = path.length === 0 ? [...SETTING_KEYS, PROFILE_KEY, 'profiles'] : SETTING_KEYS;
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map(
        (key) => `${where}: ${[...path, key].join('.')}: unknown key (known: ${known.join(', ')})`,
      );
    if (issue.code === 'invalid_key')
      return [`${where}: ${path.join('.')}: ${issue.issues[0]?.message ?? issue.message}`];
    if (path.length === 0 && issue.code === 'invalid_type')
      return [`${where}: (top): expected keys and values, e.g. "mode: local"`];
    return [`${where}: ${path.length > 0 ? path.join('.') : '(top)'}: ${issue.message}`];
  });
}

/** Checks a file's parsed content; every problem as `file: key: message`. */
export function checkSettingsFile(
  raw: unknown,
  file: string,
): { file?: SettingsFile; problems: string[] } {
  const parsed = fileSchema.safeParse(raw ?? {});
  return parsed.success
    ? { file: parsed.data, problems: [] }
    : { problems: problemsOf(parsed.error.issues, file) };
}

/** Nothing but comments, blank lines and document markers (c12 fails on an empty document). */
const isBlank = (text: string): boolean =>
  text.split('\n').every((line) => /^\s*(#.*)?$/.test(line) || /^(---|\.\.\.)\s*$/.test(line));

/**
 * Reads one settings file through c12 (YAML; on a syntax error its parser's line and column):
 * its content, undefined when it does not exist, or the problem naming the file.
 */
export async function readSettingsFile(
  file: string,
): Promise<{ raw?: unknown; problems: string[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    return e.code === 'ENOENT' ? { problems: [] } : { problems: [`${file}: ${e.message}`] };
  }
  if (isBlank(text)) return { raw: {}, problems: [] };
  const { loadConfig } = await import('c12');
  try {
    const loaded = await loadConfig({
      configFile: file,
      cwd: dirname(file),
      rcFile: false,
      globalRc: false,
      dotenv: false,
      packageJson: false,
      envName: false,
      extend: false,
      giget: false,
    });
    // the file's own layer: c12's merged `config` turns a scalar root ("mode local") into {}
    return { raw: loaded.layers?.[0]?.config ?? loaded.config, problems: [] };
  } catch (error) {
    return { problems: [`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`] };
  }
}
