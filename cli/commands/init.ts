import type { Command } from 'commander';
import { join, relative, resolve } from 'node:path';
import { localPaths, PROJECT_ROOT } from '../../lib/host/paths.js';
import { scaffoldProject } from '../../lib/settings/scaffold.js';
import { processDeps } from '../deps.js';
import { withoutSettings, type SettingsDeps } from '../settings-hook.js';

/** The example `init` copies, by its id under the shipped experiments. */
export const INIT_EXAMPLE = 'examples/seir-ma';

/** `init [dir]`: a forecast repository the CLI uses from that folder; prints what it wrote. */
async function init(deps: SettingsDeps, dir: string | undefined): Promise<void> {
  const root = resolve(deps.cwd, dir ?? '.');
  const paths = localPaths('.', root);
  const shipped = localPaths('local', PROJECT_ROOT).experimentsDir;
  const written = await scaffoldProject({
    dir: root,
    exampleDir: join(shipped, INIT_EXAMPLE),
    exampleTarget: join(paths.experimentsDir, INIT_EXAMPLE),
    bucketDir: paths.bucketDir,
  });
  const near = relative(deps.cwd, root);
  const shown = near === '' ? '.' : near.startsWith('..') ? root : near;
  deps.stdout(written.map((path) => `${join(shown, path)}\n`).join(''));
  const cd = shown === '.' ? '' : `cd ${shown} && `;
  deps.stderr(`init: next, ${cd}epycloud run workflow --exp-id ${INIT_EXAMPLE}\n`);
}

/** Registers `init [dir]`. */
export function registerInit(program: Command, deps: () => SettingsDeps = processDeps): void {
  withoutSettings(program.command('init [dir]'))
    .description(
      'scaffold a forecast repository: epycloud.yaml (local, process runtime), an example experiment, .gitignore',
    )
    .action(async (dir: string | undefined) => init(deps(), dir));
}
