import type { ExperimentSource, ExperimentValidated } from '../host/experiment-source.js';
import { availableParallelism } from 'node:os';
import { IMAGES } from '../host/images.js';
import { exec, type Exec } from '../host/exec.js';
import { dockerContainerLauncher } from './docker-launcher.js';
import { processContainerLauncher, type ContainerLauncher } from './launcher.js';
import { type StageEntry } from '../host/stage-entry.js';
import {
  rehearse,
  type EventLog,
  type RehearsalRequest,
  type RehearsalResult,
} from './rehearse.js';
import { startS3Server, type S3Server } from './s3-server.js';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { chooseRuntime, type RehearsalRuntime } from './runtime.js';
import { readRehearsalStack, type RehearsalStack } from './stack-reader.js';
import { dockerEngineEcr, nameHashDigests, type DockerEngineEcr } from './stand-in-ecr.js';

/** Where a rehearsal runs from. */
export interface RehearsalSetup {
  readonly projectRoot: string;
  /** PATH and the like for the stage processes (contract variables are not passed). */
  readonly hostEnv: Readonly<Record<string, string | undefined>>;
  readonly experiments: ExperimentSource;
  readonly environment?: string | undefined;
  /** Processes: default the stage code bundled now (as the cloud image bundles it) into a private file. */
  readonly entry?: StageEntry | undefined;
  /**
   * `docker`: containers of the cloud image (or of an experiment's own image); `process`: host
   * processes; default docker when the engine answers and has the image, always docker for an
   * experiment with its own image (`process` is refused then).
   */
  readonly runtime?: RehearsalRuntime | undefined;
  /** The cloud image (default `epycloud:cloud`). */
  readonly image?: string | undefined;
  /** Told which runtime was chosen and why. */
  readonly onNotice?: ((message: string) => void) | undefined;
  readonly concurrency?: number | undefined;
  readonly extraEnv?: Readonly<Record<string, string>> | undefined;
  readonly signal?: AbortSignal | undefined;
  readonly onEvent?: ((event: EventLog) => void) | undefined;
  /** An S3 server already holding the stack's bucket, which the caller stops; default: one started and stopped here. */
  readonly server?: S3Server | undefined;
  /** Asks the Docker engine (default: the real {@link exec}). */
  readonly exec?: Exec | undefined;
}

/**
 * Synthesizes the CDK app in-process (cdk.json's context, the chosen
 * environment; no lambda bundling) and reads what the rehearsal needs.
 */
export async function loadRehearsalStack(
  projectRoot: string,
  environment?: string,
  contextOverrides: Record<string, unknown> = {},
): Promise<RehearsalStack> {
  const { synthesizeEpycloud } = await import('./synth.js');
  const cdkJson = JSON.parse(await readFile(join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const context = {
    ...cdkJson.context,
    ...(environment ? { 'epycloud:env': environment } : {}),
    ...contextOverrides,
  };
  const templates = Object.values(synthesizeEpycloud({ context }).templates);
  return readRehearsalStack(templates);
}

const HOST_VARS = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'NODE_OPTIONS'];

/** The stage processes' base environment: a few host variables and the S3 server's. */
export function containerBaseEnv(
  hostEnv: RehearsalSetup['hostEnv'],
  server: S3Server,
): Record<string, string> {
  const host = Object.fromEntries(
    HOST_VARS.flatMap((name) => (hostEnv[name] ? [[name, hostEnv[name] as string]] : [])),
  );
  return { ...host, ...server.env };
}

/** Bundles the stage code into a private temporary folder under node_modules/.cache (nothing else rewrites it during the run). */
export async function freshBundle(projectRoot: string): Promise<string> {
  const { bundleStage } = await import('../host/bundle.js');
  // inside the project, so the bundle resolves its native package (resvg) from the project's node_modules
  const cache = join(projectRoot, 'node_modules', '.cache', 'epycloud');
  await mkdir(cache, { recursive: true });
  return bundleStage(projectRoot, join(await mkdtemp(join(cache, 'rehearsal-')), 'stage.mjs'));
}

/** The launcher of the chosen runtime, and what to clean up after the run. */
async function launcherFor(
  runtime: RehearsalRuntime,
  setup: RehearsalSetup,
  server: S3Server,
  ecr: DockerEngineEcr | undefined,
): Promise<{ launcher: ContainerLauncher; cleanup: () => Promise<void> }> {
  if (runtime === 'docker')
    return {
      launcher: dockerContainerLauncher({
        image: setup.image ?? IMAGES.cloud,
        baseEnv: server.env,
        localImage: ecr?.localImage,
      }),
      cleanup: async () => {},
    };
  const entry = setup.entry ?? { bundlePath: await freshBundle(setup.projectRoot) };
  const cleanup = async (): Promise<void> => {
    if (setup.entry === undefined && typeof entry === 'object')
      await rm(dirname(entry.bundlePath), { recursive: true, force: true });
  };
  return {
    launcher: processContainerLauncher({
      projectRoot: setup.projectRoot,
      entry,
      baseEnv: containerBaseEnv(setup.hostEnv, server),
    }),
    cleanup,
  };
}

/** The experiment validated with the run's overrides, before anything starts; undefined for a seeded manifest. */
async function validateFirst(
  request: RehearsalRequest,
  setup: RehearsalSetup,
): Promise<ExperimentValidated | undefined> {
  const seeded = (request.planOnlyTasks ?? request.seedTasks) !== undefined;
  if (seeded || request.experimentDir === undefined) return undefined;
  return setup.experiments.validate(request.experimentDir, {
    outputConfigFile: request.outputConfigFile,
    referenceDate: request.referenceDate,
  });
}

/**
 * A whole rehearsal: validate the experiment and choose the runtime, synthesize,
 * start an S3-compatible server on 127.0.0.1 holding the stack's bucket (unless
 * given one), execute the state machine with containers (of the cloud image, or
 * of the image PrepareRun registered: an experiment's own image) or processes,
 * stop the server. With containers, the local Docker engine is the stand-in
 * ECR: a tag of the stack's repository exists when the engine has
 * `<repositoryUri>:<tag>`.
 */
export async function runRehearsal(
  request: RehearsalRequest,
  setup: RehearsalSetup,
  stack?: RehearsalStack,
): Promise<RehearsalResult> {
  const validated = await validateFirst(request, setup);
  const run = setup.exec ?? exec;
  const runtime = await chooseRuntime({
    expId: request.expId,
    runtime: setup.runtime,
    image: setup.image ?? IMAGES.cloud,
    stageImage: validated?.stageImage,
    exec: run,
    onNotice: setup.onNotice,
  });
  const resolved = stack ?? (await loadRehearsalStack(setup.projectRoot, setup.environment));
  const server = setup.server ?? (await startS3Server([resolved.bucketName]));
  const stopServer = async (): Promise<void> => {
    if (setup.server === undefined) await server.stop();
  };
  const ecr =
    runtime === 'docker' ? dockerEngineEcr(run, resolved.prepareConfig.repositoryUri) : undefined;
  const { launcher, cleanup } = await launcherFor(runtime, setup, server, ecr).catch(
    async (error: unknown) => {
      await stopServer();
      throw error;
    },
  );
  try {
    return await rehearse(request, {
      stack: resolved,
      s3Env: server.env,
      launcher,
      experiments: setup.experiments,
      validated,
      resolveImageDigest: ecr?.resolveImageDigest ?? nameHashDigests,
      concurrency: setup.concurrency ?? Math.max(1, availableParallelism()),
      extraEnv: setup.extraEnv,
      signal: setup.signal,
      onEvent: setup.onEvent,
    });
  } finally {
    await stopServer();
    await cleanup();
  }
}
