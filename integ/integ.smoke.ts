/**
 * The deploy smoke test app (integ-runner discovers `integ.*.ts`; scripts/integ-smoke.sh deploys it
 * with the pinned CDK CLI). It costs money and is never run by CI: see docs/DEPLOY.md,
 * "Deploy smoke test".
 *   npx cdk deploy --all --app 'npx tsx integ/integ.smoke.ts' -c epycloud-integ:phase=initial
 */
import { App } from 'aws-cdk-lib';
import { fileURLToPath } from 'node:url';
import { buildSmokeTest, cdkJsonFeatureFlags } from './smoke.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const app = new App({ postCliContext: cdkJsonFeatureFlags(projectRoot) });
await buildSmokeTest(app, {
  projectRoot,
  defaultEnv: {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  },
});
app.synth();
