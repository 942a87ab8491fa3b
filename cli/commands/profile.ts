import type { Command } from 'commander';
import { z } from 'zod';
import { ValidationError } from '../../lib/errors.js';
import { describeSource, loadSettings, type LoadedSettings } from '../../lib/settings/load.js';
import { PROFILE_KEY, profileName, SETTING_KEYS } from '../../lib/settings/schema.js';
import { updateSettingsFile } from '../../lib/settings/write.js';
import { processDeps } from '../deps.js';
import { parseOptions } from '../options.js';
import { withoutSettings, type SettingsDeps } from '../settings-hook.js';
import { renderRows, settingRows, targetFile } from './config.js';

const json = z.object({ json: z.boolean().default(false) });
const inFile = z.object({ project: z.boolean().default(false) });
const createSchema = inFile.extend({ from: z.string().min(1).optional() });

/** The settings with every profile, the selected one named but not applied (it may be the one to fix). */
const profilesOf = (deps: SettingsDeps) => loadSettings(deps, { applyProfile: false });

function known(s: LoadedSettings, name: string) {
  const profile = s.profiles[name];
  if (profile !== undefined) return profile;
  throw new ValidationError(
    `unknown profile "${name}": expected one of ${Object.keys(s.profiles).join(', ')}`,
  );
}

const nameOf = (name: string): string => {
  const parsed = profileName.safeParse(name);
  if (parsed.success) return parsed.data;
  throw new ValidationError(`profile "${name}": ${parsed.error.issues[0]?.message}`);
};

async function list(deps: SettingsDeps, raw: unknown): Promise<void> {
  const o = parseOptions(json, raw);
  const s = await profilesOf(deps);
  const rows = Object.entries(s.profiles).map(([name, p]) => ({
    name,
    active: name === s.profile?.name,
    definedIn: p.definedIn,
  }));
  const width = Math.max(...rows.map((r) => r.name.length));
  const text = rows.map(
    (r) => `${r.active ? '*' : ' '} ${r.name.padEnd(width)}  ${r.definedIn.join(', ')}\n`,
  );
  deps.stdout(o.json ? `${JSON.stringify(rows)}\n` : text.join(''));
}

async function show(deps: SettingsDeps, name: string | undefined, raw: unknown): Promise<void> {
  const o = parseOptions(json, raw);
  const s = await profilesOf(deps);
  const chosen = name ?? s.profile?.name;
  if (chosen === undefined)
    throw new ValidationError('no profile selected: name one (epycloud profile list)');
  const { entries, definedIn } = known(s, chosen);
  const rows = settingRows(
    entries,
    SETTING_KEYS.filter((k) => entries[k] !== undefined),
  );
  deps.stdout(
    o.json
      ? `${JSON.stringify({ name: chosen, definedIn, settings: rows })}\n`
      : `profile ${chosen} (${definedIn.join(', ')})\n${renderRows(rows)}`,
  );
}

async function use(deps: SettingsDeps, name: string, raw: unknown): Promise<void> {
  const o = parseOptions(inFile, raw);
  known(await profilesOf(deps), name);
  const file = await targetFile(deps, o.project);
  await updateSettingsFile(file, [PROFILE_KEY], name);
  deps.stdout(`${file}: ${PROFILE_KEY}: ${name}\n`);
  if (deps.env.EPYCLOUD_PROFILE)
    deps.stderr(
      `profile: EPYCLOUD_PROFILE=${deps.env.EPYCLOUD_PROFILE} still wins over the file\n`,
    );
}

async function create(deps: SettingsDeps, name: string, raw: unknown): Promise<void> {
  const o = parseOptions(createSchema, raw);
  const s = await profilesOf(deps);
  if (s.profiles[nameOf(name)] !== undefined)
    throw new ValidationError(
      `profile "${name}" exists (${s.profiles[name]!.definedIn.join(', ')}): change it with config set --profile ${name}`,
    );
  const from = o.from === undefined ? {} : known(s, o.from).entries;
  const values = Object.fromEntries(Object.entries(from).map(([k, e]) => [k, e.value]));
  const file = await targetFile(deps, o.project);
  await updateSettingsFile(file, ['profiles', name], values);
  deps.stdout(`${file}: profiles.${name}${o.from ? ` (from ${o.from})` : ''}\n`);
}

async function remove(deps: SettingsDeps, name: string, raw: unknown): Promise<void> {
  const o = parseOptions(inFile, raw);
  const s = await profilesOf(deps);
  const file = await targetFile(deps, o.project);
  const { definedIn } = known(s, name);
  if (!definedIn.includes(file))
    throw new ValidationError(
      `profile "${name}" is not in ${file} (defined in: ${definedIn.join(', ')})`,
    );
  if (s.profile?.name === name && definedIn.length === 1)
    throw new ValidationError(
      `profile "${name}" is selected (${describeSource(s.profile.source)}): select another first (epycloud profile use)`,
    );
  await updateSettingsFile(file, ['profiles', name], undefined);
  deps.stdout(`${file}: profiles.${name} deleted\n`);
}

/** Registers `profile list|use|create|show|delete`. */
export function registerProfile(program: Command, deps: () => SettingsDeps = processDeps): void {
  const profile = program
    .command('profile')
    .description('named sets of settings (built in: dev, prod) and the one applied');
  const project = '--project';
  const inProject = 'in the project file (epycloud.yaml) instead of the user file';
  withoutSettings(profile.command('list'))
    .description('every profile (* marks the selected one) and where it is defined')
    .option('--json', 'print JSON')
    .action(async (options: unknown) => list(deps(), options));
  withoutSettings(profile.command('show [name]'))
    .description("a profile's settings (default: the selected one)")
    .option('--json', 'print JSON')
    .action(async (name: string | undefined, options: unknown) => show(deps(), name, options));
  withoutSettings(profile.command('use <name>'))
    .description('select a profile (profile: <name> in the user file)')
    .option(project, inProject)
    .action(async (name: string, options: unknown) => use(deps(), name, options));
  withoutSettings(profile.command('create <name>'))
    .description('add a profile to the user file')
    .option('--from <profile>', "start from this profile's settings")
    .option(project, inProject)
    .action(async (name: string, options: unknown) => create(deps(), name, options));
  withoutSettings(profile.command('delete <name>'))
    .description("remove a profile from the user file (built-in profiles can't be)")
    .option(project, inProject)
    .action(async (name: string, options: unknown) => remove(deps(), name, options));
}
