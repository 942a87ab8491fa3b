import { Command, Option } from 'commander';
import { z } from 'zod';
import {
  buildImage,
  DEFAULT_BASE_IMAGE,
  ensureStandInBase,
  IMAGES,
  STAND_IN_BASE_IMAGE,
  type ImageTarget,
} from '../../lib/host/images.js';
import { requireEngine } from '../../lib/host/docker.js';
import { exec } from '../../lib/host/exec.js';
import { PROJECT_ROOT } from '../../lib/host/paths.js';
import { formatDuration } from '../progress.js';
import { processDeps, type CommandDeps } from '../deps.js';
import { parseOptions } from '../options.js';

const schema = z.object({
  baseImage: z.string().min(1).optional(),
  target: z.enum(['local', 'cloud', 'all']).default('all'),
  quiet: z.boolean().default(false),
});

/** `build local`: builds the `local` and `cloud` targets of docker/Dockerfile; prints the tags. */
async function buildLocal(deps: CommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(schema, raw);
  const baseImage = o.baseImage ?? deps.env.EPYCLOUD_BASE_IMAGE ?? DEFAULT_BASE_IMAGE;
  await requireEngine(exec);
  const targets: ImageTarget[] = o.target === 'all' ? ['local', 'cloud'] : [o.target];
  const write = o.quiet ? () => {} : deps.stderr;
  await ensureStandInBase({
    projectRoot: PROJECT_ROOT,
    target: 'local',
    baseImage,
    env: deps.env,
    write,
  });
  for (const target of targets) {
    deps.stderr(`build: ${IMAGES[target]} (target ${target}, base ${baseImage})\n`);
    const ms = await buildImage({
      projectRoot: PROJECT_ROOT,
      target,
      baseImage,
      env: deps.env,
      write,
    });
    deps.stderr(`build: ${IMAGES[target]} built in ${formatDuration(ms)}\n`);
    deps.stdout(`${IMAGES[target]}\n`);
  }
}

/** Registers `build local`. */
export function registerBuild(program: Command, deps: () => CommandDeps = processDeps): void {
  const build = program.command('build').description('build the stage images');
  build
    .command('local')
    .description('build the Docker images of docker/Dockerfile (epycloud:local, epycloud:cloud)')
    .option(
      '--base-image <image>',
      `base image (env EPYCLOUD_BASE_IMAGE; default ${DEFAULT_BASE_IMAGE}; ${STAND_IN_BASE_IMAGE}: a stand-in built here by scripts/build-base-image.sh when missing, for machines that cannot pull)`,
    )
    .addOption(
      new Option('--target <target>', 'which image')
        .choices(['local', 'cloud', 'all'])
        .default('all'),
    )
    .option('--quiet', "hide Docker's build output")
    .action(async (options: unknown) => buildLocal(deps(), options));
}
