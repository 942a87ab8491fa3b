import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { z } from 'zod';
import { EnvironmentError, ValidationError } from '../../lib/errors.js';
import { exists, settingsPaths } from '../../lib/settings/files.js';
import { describeSource, homeOf, loadSettings, type Entries } from '../../lib/settings/load.js';
import {
  fromText,
  isSettingKey,
  maskedValue,
  profileName,
  SETTING_KEYS,
  SETTINGS,
  type SettingKey,
} from '../../lib/settings/schema.js';
import { createSettingsFile, updateSettingsFile } from '../../lib/settings/write.js';
import { processDeps } from '../deps.js';
import { parseOptions } from '../options.js';
import { withoutSettings, type SettingsDeps } from '../settings-hook.js';

/** Every key with its (masked) value and source; unset keys have neither. */
export function settingRows(entries: Entries, keys: readonly SettingKey[] = SETTING_KEYS) {
  return keys.map((key) => ({
    key,
    value: entries[key] === undefined ? undefined : maskedValue(key, entries[key].value),
    source: entries[key]?.source,
  }));
}

/** `key  value  source` lines, aligned. */
export function renderRows(rows: ReturnType<typeof settingRows>): string {
  const values = rows.map((r) => (r.value === undefined ? '-' : String(r.value)));
  const keyWidth = Math.max(0, ...rows.map((r) => r.key.length));
  const valueWidth = Math.max(0, ...values.map((v) => v.length));
  const sourceOf = (r: (typeof rows)[number]) => (r.source ? describeSource(r.source) : 'unset');
  return rows
    .map((r, i) => `${r.key.padEnd(keyWidth)}  ${values[i]!.padEnd(valueWidth)}  ${sourceOf(r)}\n`)
    .join('');
}

const keyOf = (key: string): SettingKey => {
  if (isSettingKey(key)) return key;
  throw new ValidationError(`unknown key "${key}": expected one of ${SETTING_KEYS.join(', ')}`);
};

/** The file a write goes to: the user file, or with `--project` the project file found from cwd up. */
export async function targetFile(deps: SettingsDeps, project: boolean): Promise<string> {
  const paths = await settingsPaths(deps.env, deps.cwd, homeOf(deps));
  if (!project) return paths.user;
  if (paths.project !== undefined) return paths.project;
  throw new ValidationError(
    `--project: no epycloud.yaml in ${deps.cwd} or a folder above it (epycloud init creates one)`,
  );
}

const json = z.object({ json: z.boolean().default(false) });
const setSchema = z.object({
  project: z.boolean().default(false),
  profile: profileName.optional(),
});

async function show(deps: SettingsDeps, raw: unknown): Promise<void> {
  const o = parseOptions(json, raw);
  const s = await loadSettings(deps);
  const rows = settingRows(s.entries);
  const profile = s.profile ? `${s.profile.name} (${describeSource(s.profile.source)})` : 'none';
  deps.stdout(
    o.json
      ? `${JSON.stringify({ profile: s.profile ?? null, files: s.files, settings: rows })}\n`
      : `profile: ${profile}\n${renderRows(rows)}`,
  );
}

async function get(deps: SettingsDeps, key: string): Promise<void> {
  const value = (await loadSettings(deps)).values[keyOf(key)];
  deps.stdout(value === undefined ? '' : `${String(value)}\n`);
}

async function set(deps: SettingsDeps, key: string, text: string, raw: unknown): Promise<void> {
  const o = parseOptions(setSchema, raw);
  const k = keyOf(key);
  const parsed = SETTINGS[k].schema.safeParse(fromText(k, text));
  if (!parsed.success)
    throw new ValidationError(`${k}: ${parsed.error.issues[0]?.message} (got "${text}")`);
  const file = await targetFile(deps, o.project);
  const path = o.profile === undefined ? [k] : ['profiles', o.profile, k];
  await updateSettingsFile(file, path, parsed.data);
  deps.stdout(`${file}: ${path.join('.')}: ${String(maskedValue(k, parsed.data))}\n`);
}

async function path(deps: SettingsDeps): Promise<void> {
  const s = await settingsPaths(deps.env, deps.cwd, homeOf(deps));
  const user = (await exists(s.user)) ? 'exists' : 'missing';
  const project = s.project ? `${s.project} (exists)` : `none in ${deps.cwd} or above`;
  deps.stdout(`project  ${project}\nuser     ${s.user} (${user})\n`);
}

/** Runs the user's editor on `file` as git does (`sh -c '$EDITOR "$1"'`), waiting for it. */
function runEditor(deps: SettingsDeps, file: string): Promise<void> {
  const editor = deps.env.VISUAL || deps.env.EDITOR || 'vi';
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `${editor} "$1"`, 'sh', file], {
      stdio: 'inherit',
      env: deps.env,
    });
    child.on('error', (e) => reject(new EnvironmentError(`editor "${editor}": ${e.message}`)));
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new EnvironmentError(`editor "${editor}" exited with ${code}; file kept`)),
    );
  });
}

async function edit(deps: SettingsDeps): Promise<void> {
  const file = await targetFile(deps, false);
  await createSettingsFile(file, '# epycloud user settings (docs/CONFIG.md)\n');
  await runEditor(deps, file);
  await loadSettings(deps);
  deps.stdout(`${file}: valid\n`);
}

/** Registers `config show|get|set|path|edit`. */
export function registerConfig(program: Command, deps: () => SettingsDeps = processDeps): void {
  const config = program.command('config').description('settings: show, get, set, their files');
  withoutSettings(config.command('show'))
    .description('every setting, its value and where it came from (secrets masked)')
    .option('--json', 'print JSON')
    .action(async (options: unknown) => show(deps(), options));
  withoutSettings(config.command('get <key>'))
    .description('one setting, as the commands see it')
    .action(async (key: string) => get(deps(), key));
  withoutSettings(config.command('set <key> <value>'))
    .description('set a key in the user file (validated before it is written)')
    .option('--project', 'in the project file (epycloud.yaml) instead')
    .option('--profile <name>', 'in this profile')
    .action(async (key: string, value: string, options: unknown) =>
      set(deps(), key, value, options),
    );
  withoutSettings(config.command('path'))
    .description('the settings files, lowest first')
    .action(async () => path(deps()));
  withoutSettings(config.command('edit'))
    .description('open the user file in $VISUAL or $EDITOR, then validate it')
    .action(async () => edit(deps()));
}
