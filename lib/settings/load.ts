import { homedir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { checkSettingsFile, readSettingsFile, settingsPaths } from './files.js';
import {
  BUILT_IN_DEFAULTS,
  BUILT_IN_PROFILES,
  envNameOf,
  fromText,
  PROFILE_KEY,
  profileName,
  SETTING_KEYS,
  SETTINGS,
  type SettingKey,
  type Settings,
} from './schema.js';

/** Where a value came from: a built-in default, a file, a profile (of a file, or built in), an env var. */
export type Source =
  | { readonly layer: 'default' }
  | { readonly layer: 'project' | 'user'; readonly file: string }
  | { readonly layer: 'profile'; readonly profile: string; readonly file?: string | undefined }
  | { readonly layer: 'env'; readonly name: string };

/** A value and where it came from. */
export interface Entry {
  readonly value: unknown;
  readonly source: Source;
}
/** The set keys of a layer (or of the merge), each with its source. */
export type Entries = Partial<Record<SettingKey, Entry>>;

/** A profile: its keys (built in, then the project file's, then the user file's) and where it is defined. */
export interface Profile {
  readonly entries: Entries;
  /** `built-in` and/or the files that define it. */
  readonly definedIn: readonly string[];
}

/** The settings of this machine and folder, each value with its source. */
export interface LoadedSettings {
  /** The merged values: defaults < project file < user file < profile < `EPYCLOUD_*`. */
  readonly values: Settings;
  readonly entries: Entries;
  /** The applied profile, when one is selected. */
  readonly profile?: { readonly name: string; readonly source: Source } | undefined;
  readonly profiles: Readonly<Record<string, Profile>>;
  /** The project file found from the working directory up (if any) and the user file's path. */
  readonly files: { readonly project?: string | undefined; readonly user: string };
}

/** Where settings are read from: the environment, the working directory, the home directory. */
export interface SettingsPlace {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly home?: string;
}

/** The home directory of a place: its own, else `HOME`, else the OS's. */
export const homeOf = (place: SettingsPlace): string => place.home ?? place.env.HOME ?? homedir();

const entriesOf = (values: Settings, source: Source): Entries =>
  Object.fromEntries(
    Object.entries(values)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, { value, source }]),
  );

/** `local_dir` of a file is relative to that file. */
const anchored = (values: Settings, file: string): Settings =>
  values.local_dir === undefined
    ? values
    : { ...values, local_dir: resolve(dirname(file), values.local_dir) };

/** A settings file's layer: its values, the profile it selects, its profiles. */
interface FileLayer {
  readonly file?: string | undefined;
  readonly values: Settings;
  readonly profile?: string | undefined;
  readonly profiles: Readonly<Record<string, Settings>>;
}

async function readLayer(file: string | undefined, problems: string[]): Promise<FileLayer> {
  if (file === undefined) return { values: {}, profiles: {} };
  const read = await readSettingsFile(file);
  const checked = checkSettingsFile(read.raw, file);
  problems.push(...read.problems, ...checked.problems);
  const { profile, profiles = {}, ...values } = checked.file ?? {};
  const own = Object.entries(profiles).map(([name, p]) => [name, anchored(p, file)]);
  return { file, values: anchored(values, file), profile, profiles: Object.fromEntries(own) };
}

function envLayer(env: SettingsPlace['env'], problems: string[]): Entries {
  const entries: Entries = {};
  for (const key of SETTING_KEYS) {
    const name = envNameOf(key);
    const text = env[name];
    if (text === undefined || text === '') continue;
    const parsed = SETTINGS[key].schema.safeParse(fromText(key, text));
    if (parsed.success) entries[key] = { value: parsed.data, source: { layer: 'env', name } };
    else problems.push(`${name}: ${parsed.error.issues[0]?.message} (got "${text}")`);
  }
  return entries;
}

function profilesOf(layers: readonly FileLayer[]): Record<string, Profile> {
  const out: Record<string, { entries: Entries; definedIn: string[] }> = {};
  const add = (name: string, values: Settings, file?: string) => {
    const p = (out[name] ??= { entries: {}, definedIn: [] });
    Object.assign(p.entries, entriesOf(values, { layer: 'profile', profile: name, file }));
    p.definedIn.push(file ?? 'built-in');
  };
  for (const [name, values] of Object.entries(BUILT_IN_PROFILES)) add(name, values);
  for (const { file, profiles } of layers)
    for (const [name, values] of Object.entries(profiles)) add(name, values, file);
  return out;
}

/** The selected profile: `EPYCLOUD_PROFILE`, else the user file's `profile`, else the project file's. */
function selectedProfile(
  place: SettingsPlace,
  project: FileLayer,
  user: FileLayer,
  problems: string[],
): LoadedSettings['profile'] {
  const fromEnv = place.env.EPYCLOUD_PROFILE;
  if (fromEnv !== undefined && fromEnv !== '') {
    const parsed = profileName.safeParse(fromEnv);
    if (!parsed.success) problems.push(`EPYCLOUD_PROFILE: ${parsed.error.issues[0]?.message}`);
    return { name: fromEnv, source: { layer: 'env', name: 'EPYCLOUD_PROFILE' } };
  }
  if (user.profile !== undefined && user.file !== undefined)
    return { name: user.profile, source: { layer: 'user', file: user.file } };
  if (project.profile !== undefined && project.file !== undefined)
    return { name: project.profile, source: { layer: 'project', file: project.file } };
  return undefined;
}

/**
 * Loads the settings in layers, lowest first: built-in defaults, the project file (`epycloud.yaml`
 * in `cwd` or the nearest folder above), the user file (XDG config dir), the selected profile,
 * `EPYCLOUD_*` variables. Flags win over all of them (cli/settings-hook.ts). Throws one
 * ConfigError listing every problem of every layer (`file: key: message`). With `applyProfile:
 * false` the selected profile is named but neither checked nor applied (the `profile` commands).
 */
export async function loadSettings(
  place: SettingsPlace,
  options: { readonly applyProfile?: boolean } = {},
): Promise<LoadedSettings> {
  const problems: string[] = [];
  const paths = await settingsPaths(place.env, place.cwd, homeOf(place));
  const project = await readLayer(paths.project, problems);
  const user = await readLayer(paths.user, problems);
  const env = envLayer(place.env, problems);
  const profiles = profilesOf([project, user]);
  const profile = selectedProfile(place, project, user, problems);
  const apply = profile !== undefined && options.applyProfile !== false;
  if (apply && profiles[profile.name] === undefined)
    problems.push(
      `${describeSource(profile.source)}: ${PROFILE_KEY}: unknown profile "${profile.name}" (known: ${Object.keys(profiles).join(', ')})`,
    );
  if (problems.length > 0) throw new ConfigError('Invalid settings', problems);
  const entries: Entries = {
    ...entriesOf(BUILT_IN_DEFAULTS, { layer: 'default' }),
    ...(paths.project && entriesOf(project.values, { layer: 'project', file: paths.project })),
    ...entriesOf(user.values, { layer: 'user', file: paths.user }),
    ...(apply ? profiles[profile.name]?.entries : {}),
    ...env,
  };
  const values = Object.fromEntries(Object.entries(entries).map(([k, e]) => [k, e.value]));
  return { values, entries, profile, profiles, files: paths };
}

/** A source as `config show` prints it: `default`, `project <file>`, `profile dev (built-in)`, `env NAME`. */
export function describeSource(source: Source): string {
  switch (source.layer) {
    case 'default':
      return 'default';
    case 'env':
      return `env ${source.name}`;
    case 'profile':
      return `profile ${source.profile} (${source.file ?? 'built-in'})`;
    default:
      return `${source.layer} ${source.file}`;
  }
}
