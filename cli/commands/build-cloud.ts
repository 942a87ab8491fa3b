import { Command } from 'commander';
import { z } from 'zod';
import { PROJECT_ROOT } from '../../lib/host/paths.js';
import { processCloudDeps, type CloudCommandDeps } from '../deps.js';
import { cloudTargetFields, withCloudTargetOptions } from '../cloud-options.js';
import { parseOptions } from '../options.js';

const schema = z.object({
  ...cloudTargetFields,
  tag: z
    .string()
    .regex(
      /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
      'expected a Docker tag ([A-Za-z0-9_.-], up to 128)',
    )
    .default('latest'),
  baseImage: z.string().min(1).optional(),
});

async function buildCloud(deps: CloudCommandDeps, raw: unknown): Promise<void> {
  const o = parseOptions(schema, raw);
  // the AWS SDK and execa load when the command runs, never for `--help`
  const { buildCloudImage } = await import('../../lib/cloud/build.js');
  const { loggedRunner } = await import('../../lib/host/command-runner.js');
  const session = await deps.session(o);
  const baseImage = o.baseImage ?? deps.env.EPYCLOUD_BASE_IMAGE;
  const result = await buildCloudImage(
    session.clients,
    await session.deployment(),
    {
      tag: o.tag,
      context: PROJECT_ROOT,
      ...(baseImage ? { buildArgs: { BASE_IMAGE: baseImage } } : {}),
    },
    loggedRunner(PROJECT_ROOT, deps.stderr),
  );
  deps.stdout(`${result.imageUri}\n`);
}

/** Adds `build cloud` to the `build` group (created by `build local`'s registration). */
export function registerBuildCloud(
  program: Command,
  deps: () => CloudCommandDeps = processCloudDeps,
): void {
  const build =
    program.commands.find((c) => c.name() === 'build') ??
    program.command('build').description('build the stage images');
  withCloudTargetOptions(
    build
      .command('cloud')
      .description(
        "build docker/Dockerfile target cloud and push it to the stack's ECR repository",
      ),
  )
    .option('--tag <tag>', 'image tag (then: run workflow --image-tag <tag>)', 'latest')
    .option('--base-image <image>', 'base image build argument (env EPYCLOUD_BASE_IMAGE)')
    .action(async (options: unknown) => buildCloud(deps(), options));
}
