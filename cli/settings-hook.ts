import type { Command } from 'commander';
import { loadSettings, type LoadedSettings, type SettingsPlace } from '../lib/settings/load.js';
import { SETTING_KEYS, type SettingKey } from '../lib/settings/schema.js';
import type { CommandDeps } from './deps.js';

/** What the settings commands (`config`, `profile`, `init`) need from the outside world. */
export type SettingsDeps = Pick<CommandDeps, 'stdout' | 'stderr' | 'env' | 'cwd'>;

/** Options whose name is not the key in camelCase; `mode: local` sets `--local`. */
const OPTION_NAMES: Partial<Record<SettingKey, string>> = { mode: 'local', aws_profile: 'profile' };

/** The commander option (attribute name) a setting fills: `local_dir` fills `localDir`. */
export const optionNameOf = (key: SettingKey): string =>
  OPTION_NAMES[key] ?? key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const FILLED = new Set(SETTING_KEYS.map(optionNameOf));
const ownOptions = new WeakSet<Command>();

/** Marks a command whose options are its own, not the settings' (`config set --profile`): the hook skips it. */
export function withoutSettings(command: Command): Command {
  ownOptions.add(command);
  return command;
}

/**
 * Fills the options of `command` that no flag gave (value source undefined or `default`) from
 * the settings, with source `config`; built-in defaults are left to the commands' own. `mode:
 * local` sets `--local` unless `--cloud` was given. Resolves to the options it set.
 */
export function applySettings(command: Command, settings: LoadedSettings): Record<string, unknown> {
  const names = new Set(command.options.map((option) => option.attributeName()));
  const set: Record<string, unknown> = {};
  for (const key of SETTING_KEYS) {
    const entry = settings.entries[key];
    const name = optionNameOf(key);
    if (entry === undefined || entry.source.layer === 'default' || !names.has(name)) continue;
    if (!['default', undefined].includes(command.getOptionValueSource(name))) continue;
    if (key === 'mode' && (entry.value !== 'local' || command.getOptionValue('cloud') === true))
      continue;
    const value =
      key === 'mode' ? true : typeof entry.value === 'number' ? String(entry.value) : entry.value;
    command.setOptionValueWithSource(name, value, 'config');
    set[name] = value;
  }
  return set;
}

/**
 * Installs the `preAction` hook that loads the settings once (for the working directory `cwd`)
 * and fills each action command's unset options from them. Tests pass `load` to inject settings.
 * A command without any option a setting fills never loads them.
 */
export function installSettings(
  program: Command,
  env: SettingsPlace['env'],
  cwd: string,
  load: (place: SettingsPlace) => Promise<LoadedSettings> = loadSettings,
): Command {
  let loaded: Promise<LoadedSettings> | undefined;
  return program.hook('preAction', async (_hooked, action) => {
    if (ownOptions.has(action)) return;
    if (!action.options.some((option) => FILLED.has(option.attributeName()))) return;
    loaded ??= load({ env, cwd });
    applySettings(action, await loaded);
  });
}
