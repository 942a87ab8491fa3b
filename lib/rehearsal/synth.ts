import { App } from 'aws-cdk-lib';
import { loadDeploymentConfig } from '../config/load.js';
import type { DeploymentConfig } from '../config/schema.js';
import { createEpycloudStacks, type EpycloudStacks } from '../stacks/epycloud-app.js';
import type { CfnTemplate } from './render-definition.js';
import { PROJECT_ROOT } from '../host/paths.js';

/** Options of {@link synthesizeEpycloud}. */
export interface SynthOptions {
  /** CDK context (`epycloud:env`, `epycloud:environments`, ...). */
  readonly context?: Record<string, unknown>;
  /** Bundle the lambdas with esbuild and stage assets (slower); off, asset code is a placeholder. */
  readonly bundle?: boolean;
  /** Copy assets (the Docker build context, not the lambda bundles) into the assembly even without bundling. */
  readonly stageAssets?: boolean;
  /** Cloud assembly directory; a temporary one when absent. */
  readonly outdir?: string;
}

/** A synthesized deployment: the stacks, their config and templates by stack name. */
export interface SynthesizedEpycloud {
  readonly app: App;
  readonly config: DeploymentConfig;
  readonly stacks: EpycloudStacks;
  readonly templates: Readonly<Record<string, CfnTemplate>>;
}

/**
 * Synthesizes the epycloud stacks in-process, offline and without Docker
 * (the rehearsal and the tests use this; `npx cdk synth` runs bin/app.ts).
 */
export function synthesizeEpycloud(options: SynthOptions = {}): SynthesizedEpycloud {
  const skipBundling = options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] };
  const skipStaging =
    options.bundle || options.stageAssets ? {} : { 'aws:cdk:disable-asset-staging': true };
  const context = { ...options.context, ...skipBundling, ...skipStaging };
  const app = new App({
    context,
    ...(options.outdir === undefined ? {} : { outdir: options.outdir }),
  });
  const config = loadDeploymentConfig((key) => app.node.tryGetContext(key));
  const stacks = createEpycloudStacks(app, config, { projectRoot: PROJECT_ROOT });
  const assembly = app.synth();
  const templates = Object.fromEntries(
    assembly.stacks.map((s) => [s.stackName, s.template as CfnTemplate]),
  );
  return { app, config, stacks, templates };
}
