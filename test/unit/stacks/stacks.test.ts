import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe } from 'vitest';
import { synthAllFeaturesFixture } from './all-features-fixture.js';
import { computeStackSuite } from './compute-stack.suite.js';
import { iamSimulationSuite } from './iam-simulation.suite.js';
import { nagSuite } from './nag.suite.js';
import { pipelineDefinitionSuite } from './pipeline-definition.suite.js';
import { pipelineExecutionSuite } from './pipeline-execution.suite.js';
import { pipelineStackSuite } from './pipeline-stack.suite.js';
import { storageStackSuite } from './storage-stack.suite.js';
import { SYNTH_TIMEOUT, synthFixtures, type Fixtures, type SynthFixture } from './support.js';

// Synthesizing is the slow part: each fixture deployment is synthesized once for all suites.
describe('the epycloud CDK app', () => {
  let fixtures: Fixtures;
  // Every optional role (notifications, data triggers): only the IAM suite needs it.
  let allFeatures: SynthFixture;
  beforeAll(() => {
    fixtures = synthFixtures();
    allFeatures = synthAllFeaturesFixture();
  }, SYNTH_TIMEOUT);
  afterAll(() => {
    for (const fixture of [...Object.values(fixtures ?? {}), allFeatures])
      if (fixture !== undefined) rmSync(fixture.app.outdir, { recursive: true, force: true });
  });

  storageStackSuite(() => fixtures);
  computeStackSuite(() => fixtures);
  pipelineStackSuite(() => fixtures);
  nagSuite(() => fixtures);
  iamSimulationSuite(() => ({ ...fixtures, allFeatures }));
  pipelineDefinitionSuite(() => fixtures);
  pipelineExecutionSuite(() => fixtures);
});
