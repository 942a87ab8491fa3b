import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerConfig } from '../../../cli/commands/config.js';
import { registerInit } from '../../../cli/commands/init.js';
import { registerProfile } from '../../../cli/commands/profile.js';
import type { SettingsDeps } from '../../../cli/settings-hook.js';
import { settingsPlace } from '../settings/places.js';

/** The settings commands over a temporary place, their output captured. */
async function harness(extraEnv: Record<string, string> = {}) {
  const p = await settingsPlace();
  let out = '';
  let err = '';
  const deps = (): SettingsDeps => ({
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    env: { ...p.env, HOME: p.home, ...extraEnv },
    cwd: p.cwd,
  });
  const program = new Command('epycloud').exitOverride();
  registerConfig(program, deps);
  registerProfile(program, deps);
  registerInit(program, deps);
  const run = async (...argv: string[]) => {
    out = '';
    err = '';
    await program.parseAsync(['node', 'epycloud', ...argv]);
    return out;
  };
  return { p, run, stderr: () => err };
}

describe('config', () => {
  it('show: every key, its value and source, secrets masked; --json too', async () => {
    const h = await harness({ EPYCLOUD_RUNTIME: 'process' });
    await h.p.write(h.p.projectFile, 'mode: local\nnotify_webhook: https://example.org/t0k3n\n');
    const text = await h.run('config', 'show');
    expect(text).toMatch(/^profile: none\n/);
    expect(text).toMatch(new RegExp(`^mode +local +project ${h.p.projectFile}$`, 'm'));
    expect(text).toMatch(/^runtime +process +env EPYCLOUD_RUNTIME$/m);
    expect(text).toMatch(/^retries +2 +default$/m);
    expect(text).toMatch(/^region +- +unset$/m);
    expect(text).toMatch(/^notify_webhook +https:\/\/example\.org\/\*\*\*\* +project /m);
    expect(text).not.toMatch(/t0k3n/);
    const json = JSON.parse(await h.run('config', 'show', '--json'));
    expect(json.settings).toContainEqual({
      key: 'runtime',
      value: 'process',
      source: { layer: 'env', name: 'EPYCLOUD_RUNTIME' },
    });
    expect(JSON.stringify(json)).not.toMatch(/t0k3n/);
  });

  it('set then get round-trips, in the user file or the project file; a bad value is refused', async () => {
    const h = await harness();
    await h.p.write(h.p.projectFile, '# project\nmode: local # here\n');
    await h.run('config', 'set', 'parallelism', '4');
    expect(await h.run('config', 'get', 'parallelism')).toBe('4\n');
    await h.run('config', 'set', 'mode', 'cloud', '--project');
    expect(await readFile(h.p.projectFile, 'utf8')).toBe('# project\nmode: cloud # here\n');
    await h.run('config', 'set', 'retries', '7', '--profile', 'dev');
    expect(await readFile(h.p.userFile, 'utf8')).toBe(
      'parallelism: 4\nprofiles:\n  dev:\n    retries: 7\n',
    );
    await expect(h.run('config', 'set', 'runtime', 'podman')).rejects.toThrow(
      'runtime: expected one of docker, process (got "podman")',
    );
    await expect(h.run('config', 'set', 'profiles', 'x')).rejects.toThrow(/unknown key "profiles"/);
    await expect(h.run('config', 'set', 'mode', 'local', '--profile', 'a b')).rejects.toThrow(
      /--profile: expected a profile name/,
    );
  });

  it('path: the files lowest first, marking which exist', async () => {
    const h = await harness();
    expect(await h.run('config', 'path')).toBe(
      `project  none in ${h.p.cwd} or above\nuser     ${h.p.userFile} (missing)\n`,
    );
    await h.p.write(h.p.projectFile, 'mode: local\n');
    expect(await h.run('config', 'path')).toMatch(`project  ${h.p.projectFile} (exists)\n`);
  });

  it('edit: opens the editor on the user file (created), then validates it', async () => {
    const h = await harness({ EDITOR: 'true' });
    expect(await h.run('config', 'edit')).toBe(`${h.p.userFile}: valid\n`);
    expect(await readFile(h.p.userFile, 'utf8')).toMatch(/^# epycloud user settings/);
    await h.p.write(h.p.userFile, 'mode: remote\n');
    await expect(h.run('config', 'edit')).rejects.toThrow(/config\.yaml: mode: expected one of/);
  });
});

describe('profile', () => {
  it('lists the built-in profiles and the files’, marking the selected one', async () => {
    const h = await harness();
    await h.p.write(h.p.projectFile, 'profiles:\n  team:\n    region: eu-west-1\n');
    await h.run('profile', 'use', 'team');
    expect(await h.run('profile', 'list')).toBe(
      `  dev   built-in\n  prod  built-in\n* team  ${h.p.projectFile}\n`,
    );
    expect(await h.run('profile', 'show')).toMatch(
      /^profile team .*\nregion +eu-west-1 +profile team/,
    );
    await expect(h.run('profile', 'use', 'nope')).rejects.toThrow(/unknown profile "nope"/);
  });

  it('creates from another, deletes, refuses built-ins and the selected one', async () => {
    const h = await harness();
    await h.run('profile', 'create', 'mine', '--from', 'dev');
    expect(await h.run('profile', 'show', 'mine')).toMatch(/^runtime +process +profile mine/m);
    await expect(h.run('profile', 'create', 'mine')).rejects.toThrow(/exists/);
    await expect(h.run('profile', 'delete', 'prod')).rejects.toThrow(
      /not in .*\(defined in: built-in\)/,
    );
    await h.run('profile', 'use', 'mine');
    await expect(h.run('profile', 'delete', 'mine')).rejects.toThrow(/is selected/);
    await h.run('profile', 'use', 'prod');
    await h.run('profile', 'delete', 'mine');
    expect(await readFile(h.p.userFile, 'utf8')).toBe('profile: prod\n');
  });
});

describe('init', () => {
  it('scaffolds a folder and says what to run next', async () => {
    const h = await harness();
    const out = await h.run('init', 'my-forecasts');
    expect(out.split('\n')).toContain(join('my-forecasts', 'epycloud.yaml'));
    expect(h.stderr()).toBe(
      'init: next, cd my-forecasts && epycloud run workflow --exp-id examples/seir-ma\n',
    );
    await expect(h.run('init', 'my-forecasts')).rejects.toThrow(/exists/);
  });
});
