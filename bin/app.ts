/**
 * The CDK app (cdk.json): reads and validates the context once, creates the
 * stacks of the chosen environment, and checks them with cdk-nag.
 *   npx cdk synth -c epycloud:env=prod
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { fileURLToPath } from 'node:url';
import { loadDeploymentConfig } from '../lib/config/load.js';
import { EpycloudError } from '../lib/errors.js';
import { createEpycloudStacks } from '../lib/stacks/epycloud-app.js';

function main(): void {
  const app = new App();
  const config = loadDeploymentConfig((key) => app.node.tryGetContext(key));
  createEpycloudStacks(app, config, {
    projectRoot: fileURLToPath(new URL('..', import.meta.url)),
    defaultEnv: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION,
    },
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
}

try {
  main();
} catch (error) {
  if (!(error instanceof EpycloudError)) throw error;
  console.error(`epycloud: ${error.message}`);
  process.exitCode = error.exitCode;
}
