import { z } from 'zod';

/** Where back-end commands run when no flag says: `local` (as if `--local`) or `cloud` (AWS). */
export const MODES = ['local', 'cloud'] as const;
/** Local runtimes: lib/local's `RUNTIMES`, which lib/settings may not import (a test pins the two). */
export const SETTING_RUNTIMES = ['docker', 'process'] as const;

const count = (min: number) => {
  const message = `expected an integer >= ${min}`;
  return z.int({ error: message }).min(min, message);
};
const text = z.string({ error: 'expected text' }).min(1, 'expected text');
const url = z.url({ error: 'expected a URL' });

/** One setting: its schema, what it means, and whether its value is masked when shown. */
interface SettingSpec {
  readonly schema: z.ZodType;
  readonly doc: string;
  readonly secret?: true;
}

/** Every setting key; docs/CONFIG.md lists the same, with examples. */
export const SETTINGS = {
  mode: {
    schema: z.enum(MODES, { error: `expected one of ${MODES.join(', ')}` }),
    doc: 'where back-end commands run: local (as if --local were given) or cloud (AWS); --cloud or --local wins',
  },
  runtime: {
    schema: z.enum(SETTING_RUNTIMES, { error: `expected one of ${SETTING_RUNTIMES.join(', ')}` }),
    doc: 'how local stages run: docker (the epycloud:local image) or process (host processes) (--runtime)',
  },
  parallelism: { schema: count(1), doc: 'Stage B tasks at once (--parallelism; unset: the cores)' },
  retries: { schema: count(0), doc: 'extra attempts of a failed local task (--retries)' },
  local_dir: {
    schema: text,
    doc: 'the local folder, experiments in forecast/experiments/ and artifacts in bucket/ (--local-dir); in a file, relative to that file',
  },
  aws_profile: { schema: text, doc: 'AWS shared-config profile (--profile)' },
  region: { schema: text, doc: 'AWS region (--region)' },
  stack_prefix: {
    schema: text,
    doc: 'names of the deployed stacks start with this (--stack-prefix)',
  },
  billing_project: {
    schema: text,
    doc: 'billing project of cloud runs (the epycloud:billing_project tag)',
  },
  hub_team: { schema: text, doc: 'team abbreviation of FluSight hub files' },
  hub_model: { schema: text, doc: 'model abbreviation of FluSight hub files' },
  notify_email: {
    schema: z.email({ error: 'expected an email address' }),
    doc: 'email notified when a run ends',
  },
  notify_slack_webhook: {
    schema: url,
    doc: 'Slack incoming-webhook URL notified when a run ends',
    secret: true,
  },
  notify_webhook: { schema: url, doc: 'URL that receives a POST when a run ends', secret: true },
} as const satisfies Record<string, SettingSpec>;

/** A setting's key, as written in the files (`local_dir`) and in `config get|set`. */
export type SettingKey = keyof typeof SETTINGS;
/** Every key, in the order `config show` prints them. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];
/** Setting values; a missing key is unset. */
export type Settings = { -readonly [K in SettingKey]?: z.infer<(typeof SETTINGS)[K]['schema']> };

/** Whether `key` is a setting key. */
export const isSettingKey = (key: string): key is SettingKey => Object.hasOwn(SETTINGS, key);

/** The environment variable of a key: `EPYCLOUD_` and the key in capitals (`EPYCLOUD_LOCAL_DIR`). */
export const envNameOf = (key: string): string => `EPYCLOUD_${key.toUpperCase()}`;

/** Picks the profile the settings apply (over the files' values); also `EPYCLOUD_PROFILE`. */
export const PROFILE_KEY = 'profile';

/** A profile name: letters, digits, `_` and `-`. */
export const profileName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a profile name: letters, digits, "_" or "-"');

const shape = Object.fromEntries(
  SETTING_KEYS.map((key) => [key, SETTINGS[key].schema.optional()]),
) as { [K in SettingKey]: z.ZodOptional<(typeof SETTINGS)[K]['schema']> };

/** The keys a profile sets: any setting. */
export const valuesSchema = z.strictObject(shape);

/** A settings file (project `epycloud.yaml` or the user file): settings, the profile to apply, profiles. */
export const fileSchema = valuesSchema.extend({
  [PROFILE_KEY]: profileName.optional(),
  profiles: z.record(profileName, valuesSchema).optional(),
});
/** A settings file's content. */
export type SettingsFile = z.infer<typeof fileSchema>;

/** Built-in defaults: the commands' own defaults, shown by `config show` (the lowest layer). */
export const BUILT_IN_DEFAULTS: Settings = {
  mode: 'cloud',
  runtime: 'docker',
  retries: 2,
  local_dir: './local',
};

/**
 * Built-in profiles, under any profile of the files with the same name. `dev`: runs here with
 * host processes (no Docker), and `--cloud` reaches the `dev` deployment; `prod`: runs on AWS,
 * in the `prod` deployment (the CDK app's stack prefixes, docs/DEPLOY.md).
 */
export const BUILT_IN_PROFILES: Readonly<Record<string, Settings>> = {
  dev: { mode: 'local', runtime: 'process', stack_prefix: 'Epycloud-dev' },
  prod: { mode: 'cloud', stack_prefix: 'Epycloud-prod' },
};

/** A value typed as text (an env var, `config set`) as its key takes it: digits as a number where one fits. */
export function fromText(key: SettingKey, value: string): unknown {
  const asNumber = Number(value);
  return /^\d+$/.test(value) && SETTINGS[key].schema.safeParse(asNumber).success ? asNumber : value;
}

/** A value as shown: secrets keep their origin only (`https://hooks.slack.com/****`). */
export function maskedValue(key: SettingKey, value: unknown): unknown {
  if (!('secret' in SETTINGS[key]) || typeof value !== 'string') return value;
  const origin = URL.canParse(value) ? new URL(value).origin : '';
  return `${origin === 'null' ? '' : origin}/****`;
}
