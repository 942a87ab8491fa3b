import type { StageImage } from '../contract/stage-image.js';
import { EnvironmentError, ValidationError } from '../errors.js';
import { dockerUnavailable, probeEngine } from '../host/docker.js';
import type { Exec } from '../host/exec.js';

/** How the Batch stand-in runs a stage: containers, or host processes of this checkout's code. */
export type RehearsalRuntime = 'docker' | 'process';

/** What the choice depends on. */
export interface RuntimeChoice {
  readonly expId: string;
  /** Asked for with `--runtime`; default: containers when Docker can run them. */
  readonly runtime?: RehearsalRuntime | undefined;
  /** The cloud image the deployed job definitions run (`epycloud:cloud`). */
  readonly image: string;
  /** The experiment's own stage image, when it names one. */
  readonly stageImage?: StageImage | undefined;
  readonly exec: Exec;
  /** Told which runtime was chosen and why. */
  readonly onNotice?: ((message: string) => void) | undefined;
}

/**
 * An experiment that names its own stage image runs as containers of it:
 * processes cannot run an image, so `--runtime process` is refused, and a
 * missing Docker engine is an error saying so.
 */
async function ownImageRuntime(choice: RuntimeChoice, image: string): Promise<RehearsalRuntime> {
  refuseProcessRuntime(choice.expId, image, choice.runtime);
  const what = `Experiment ${choice.expId} runs in its own image ${image} (its stages: config)`;
  const engine = await probeEngine(choice.exec);
  if (!engine.ok)
    throw new EnvironmentError(
      `${what}: the rehearsal runs it as containers, and no Docker engine answers (${engine.reason}). ` +
        'Start one: bash scripts/docker-engine.sh start',
    );
  choice.onNotice?.(
    `Rehearsal: stage containers of ${image}, as PrepareRun pins it through the local Docker engine (the stand-in ECR), host network`,
  );
  return 'docker';
}

/** Refuses host processes for an experiment with its own image (processes cannot run an image), a run or a plan alike. */
export function refuseProcessRuntime(
  expId: string,
  image: string,
  runtime: RehearsalRuntime | undefined,
): void {
  if (runtime === 'process')
    throw new ValidationError(
      `Experiment ${expId} runs in its own image ${image} (its stages: config): host processes cannot run an image. ` +
        'Rehearse it with --runtime docker (or set EPYCLOUD_RUNTIME=docker, or runtime: docker in the settings)',
    );
}

/**
 * The rehearsal's runtime: containers when asked for or when the engine has
 * the cloud image, else host processes; always containers for an experiment
 * with its own image. Throws when the asked-for runtime cannot run.
 */
export async function chooseRuntime(choice: RuntimeChoice): Promise<RehearsalRuntime> {
  if (choice.stageImage !== undefined) return ownImageRuntime(choice, choice.stageImage.image);
  const why =
    choice.runtime === 'process'
      ? 'asked for'
      : await dockerUnavailable(choice.exec, choice.image, 'epycloud build local --target cloud');
  if (why === undefined) {
    choice.onNotice?.(
      `Rehearsal: stage containers of ${choice.image} (job definitions' commands), host network`,
    );
    return 'docker';
  }
  if (choice.runtime === 'docker')
    throw new EnvironmentError(
      `Cannot run the rehearsal's containers: ${why}. Use --runtime process to run the stages as processes`,
    );
  choice.onNotice?.(`Rehearsal: stages as host processes (containers: ${why})`);
  return 'process';
}
