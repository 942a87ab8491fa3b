import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../lib/errors.js';
import { describeSource, loadSettings } from '../../../lib/settings/load.js';
import { settingsPlace } from './places.js';

const problemsOf = async (p: Promise<unknown>): Promise<readonly string[]> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
};

describe('loadSettings: the layers, lowest first', () => {
  it('gives the built-in defaults when there is no file and no variable', async () => {
    const p = await settingsPlace();
    const s = await loadSettings({ env: p.env, cwd: p.cwd, home: p.home });
    expect(s.values).toEqual({
      mode: 'cloud',
      runtime: 'docker',
      retries: 2,
      local_dir: './local',
    });
    expect(s.entries.mode?.source).toEqual({ layer: 'default' });
    expect(s.files).toEqual({ project: undefined, user: p.userFile });
    expect(s.profile).toBeUndefined();
  });

  it('finds the project file above the working directory; user file > project file', async () => {
    const p = await settingsPlace();
    await p.write(p.projectFile, 'mode: local\nruntime: process\nparallelism: 2\nlocal_dir: .\n');
    await p.write(p.userFile, 'parallelism: 6\nregion: eu-west-1\n');
    const s = await loadSettings({ env: p.env, cwd: p.cwd, home: p.home });
    expect(s.values).toMatchObject({ mode: 'local', runtime: 'process', parallelism: 6 });
    expect(s.values.local_dir).toBe(p.repo);
    expect(describeSource(s.entries.mode!.source)).toBe(`project ${p.projectFile}`);
    expect(describeSource(s.entries.parallelism!.source)).toBe(`user ${p.userFile}`);
    expect(describeSource(s.entries.retries!.source)).toBe('default');
  });

  it('applies the selected profile over both files, and EPYCLOUD_* over the profile', async () => {
    const p = await settingsPlace();
    await p.write(p.projectFile, 'mode: cloud\nretries: 1\n');
    await p.write(p.userFile, 'profile: dev\nprofiles:\n  dev:\n    retries: 4\n');
    const env = { ...p.env, EPYCLOUD_RETRIES: '5', EPYCLOUD_REGION: 'us-west-2' };
    const s = await loadSettings({ env, cwd: p.cwd, home: p.home });
    expect(s.profile).toEqual({ name: 'dev', source: { layer: 'user', file: p.userFile } });
    expect(s.values).toMatchObject({ mode: 'local', runtime: 'process', retries: 5 });
    expect(describeSource(s.entries.mode!.source)).toBe('profile dev (built-in)');
    expect(describeSource(s.entries.retries!.source)).toBe('env EPYCLOUD_RETRIES');
    expect(describeSource(s.entries.region!.source)).toBe('env EPYCLOUD_REGION');
    const noEnv = await loadSettings({ env: p.env, cwd: p.cwd, home: p.home });
    expect(describeSource(noEnv.entries.retries!.source)).toBe(`profile dev (${p.userFile})`);
    expect(noEnv.profiles.dev?.definedIn).toEqual(['built-in', p.userFile]);
  });

  it('selects a profile by EPYCLOUD_PROFILE over the files', async () => {
    const p = await settingsPlace();
    await p.write(p.projectFile, 'profile: dev\n');
    const env = { ...p.env, EPYCLOUD_PROFILE: 'prod' };
    const s = await loadSettings({ env, cwd: p.cwd, home: p.home });
    expect(s.profile?.name).toBe('prod');
    expect(s.values).toMatchObject({ mode: 'cloud', stack_prefix: 'Epycloud-prod' });
  });

  it('keeps EPYCLOUD_LOCAL_DIR relative to the working directory; XDG_CONFIG_HOME unset means ~/.config', async () => {
    const p = await settingsPlace();
    const s = await loadSettings({
      env: { EPYCLOUD_LOCAL_DIR: 'elsewhere' },
      cwd: p.cwd,
      home: p.home,
    });
    expect(s.values.local_dir).toBe('elsewhere');
    expect(s.files.user).toBe(join(p.home, '.config', 'epycloud', 'config.yaml'));
  });

  it('reads a file of comments only as empty', async () => {
    const p = await settingsPlace();
    await p.write(p.userFile, '# nothing yet\n\n');
    await expect(loadSettings({ env: p.env, cwd: p.cwd, home: p.home })).resolves.toBeDefined();
  });
});

describe('loadSettings: problems', () => {
  it('lists every problem of every layer at once, each with its file (or variable) and key', async () => {
    const p = await settingsPlace();
    await p.write(p.projectFile, 'mode: remote\nparallelism: 0\nmodee: local\n');
    await p.write(p.userFile, 'profiles:\n  mine:\n    runtime: podman\nnotify_email: nobody\n');
    const env = { ...p.env, EPYCLOUD_RETRIES: 'many' };
    const problems = await problemsOf(loadSettings({ env, cwd: p.cwd, home: p.home }));
    expect(problems).toEqual([
      `${p.projectFile}: mode: expected one of local, cloud`,
      `${p.projectFile}: parallelism: expected an integer >= 1`,
      expect.stringMatching(new RegExp(`^${p.projectFile}: modee: unknown key \\(known: mode, `)),
      `${p.userFile}: notify_email: expected an email address`,
      `${p.userFile}: profiles.mine.runtime: expected one of docker, process`,
      'EPYCLOUD_RETRIES: expected an integer >= 0 (got "many")',
    ]);
  });

  it('names a YAML syntax error with its file, line and column', async () => {
    const p = await settingsPlace();
    await p.write(p.userFile, 'mode: local\nruntime: [\n');
    const problems = await problemsOf(loadSettings({ env: p.env, cwd: p.cwd, home: p.home }));
    expect(problems).toEqual([expect.stringMatching(/config\.yaml: not valid YAML: .*\(3:1\)$/)]);
  });

  it('names a bad profile name', async () => {
    const p = await settingsPlace();
    await p.write(p.userFile, 'profiles:\n  my team: {}\n');
    const problems = await problemsOf(loadSettings({ env: p.env, cwd: p.cwd, home: p.home }));
    expect(problems).toEqual([
      `${p.userFile}: profiles.my team: expected a profile name: letters, digits, "_" or "-"`,
    ]);
  });

  it('refuses a file that is one word, not keys (a missing colon)', async () => {
    const p = await settingsPlace();
    await p.write(p.projectFile, 'mode local\n');
    const problems = await problemsOf(loadSettings({ env: p.env, cwd: p.cwd, home: p.home }));
    expect(problems).toEqual([
      `${p.projectFile}: (top): expected keys and values, e.g. "mode: local"`,
    ]);
  });

  it('refuses an unknown selected profile, naming where it was selected', async () => {
    const p = await settingsPlace();
    await p.write(p.userFile, 'profile: staging\n');
    const problems = await problemsOf(loadSettings({ env: p.env, cwd: p.cwd, home: p.home }));
    expect(problems).toEqual([
      `user ${p.userFile}: profile: unknown profile "staging" (known: dev, prod)`,
    ]);
    const named = await loadSettings(
      { env: p.env, cwd: p.cwd, home: p.home },
      { applyProfile: false },
    );
    expect(named.profile?.name).toBe('staging');
  });
});
