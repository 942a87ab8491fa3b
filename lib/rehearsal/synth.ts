import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REHEARSAL_ACCOUNT, REHEARSAL_REGION, type Template } from './intrinsics.js';

/**
 * Synthesizes the CDK app in-process (cdk.json's context, the chosen
 * environment) and returns every stack's template. Lambda bundling and asset
 * staging are skipped: the rehearsal runs the lambdas' source in-process.
 */
export async function synthTemplates(projectRoot: string, environment?: string): Promise<Template[]> {
  const [{ App }, { loadDeploymentConfig }, { createEpycloudStacks }] = await Promise.all([
    import('aws-cdk-lib'),
    import('../config/load.js'),
    import('../stacks/epycloud-app.js'),
  ]);
  const cdkJson = JSON.parse(await readFile(join(projectRoot, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  const outdir = await mkdtemp(join(tmpdir(), 'epycloud-synth-'));
  try {
    const context = {
      ...cdkJson.context,
      ...(environment ? { 'epycloud:env': environment } : {}),
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:disable-asset-staging': true,
    };
    const app = new App({ context, outdir });
    const config = loadDeploymentConfig((key) => app.node.tryGetContext(key));
    createEpycloudStacks(app, config, { projectRoot, defaultEnv: { account: REHEARSAL_ACCOUNT, region: REHEARSAL_REGION } });
    return app.synth().stacks.map((stack) => stack.template as Template);
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
