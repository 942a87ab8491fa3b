import { z } from 'zod';
import { IMAGE_REFERENCE } from './image.js';
import { STAGES, type StageName } from './layout.js';

/** The root key of the experiment config that names a stage image of the experiment's own (docs/CONTRACT.md, "Your image in a run"). */
export const STAGE_IMAGE_ROOT = 'stages';

/** A container command: the program and its arguments, as Docker's CMD and Batch's `command`. */
export const stageCommandSchema = z
  .array(z.string().min(1, 'expected a non-empty argument'))
  .min(
    1,
    'expected a command: a list of at least one string, e.g. [python3, /app/stage.py, builder]',
  )
  .max(64, 'expected at most 64 arguments');

/** A command per stage, each optional: the `commands` of a `stages:` config and of the execution input. */
export const stageCommandsSchema = z
  .object({
    builder: stageCommandSchema.optional(),
    runner: stageCommandSchema.optional(),
    output: stageCommandSchema.optional(),
  })
  .strict();

/**
 * An experiment's own stage image: every stage of its runs is a container of
 * `image` running `commands[stage]` (after the image's ENTRYPOINT, as `docker
 * run` and Batch do); a stage without a command gets its name (`[builder]`),
 * for images whose entrypoint takes the stage.
 */
export const stageImageSchema = z
  .object({
    image: z
      .string()
      .regex(
        IMAGE_REFERENCE,
        'expected an image reference such as my-model:1.2, <registry>/<repository>:<tag> or <repository>@sha256:<digest>',
      ),
    commands: stageCommandsSchema.optional(),
  })
  .strict();

/** An experiment's own stage image and its commands. */
export type StageImage = z.infer<typeof stageImageSchema>;

/** Per-stage commands, as the execution input carries them to PrepareRun. */
export type StageCommands = Readonly<Partial<Record<StageName, readonly string[]>>>;

/** The command of `stage` in a container of the declared image: its own, or the stage's name. */
export function stageImageCommand(declared: StageImage, stage: StageName): readonly string[] {
  return declared.commands?.[stage] ?? [stage];
}

/** Every stage's command, the defaults filled in. */
export function stageImageCommands(declared: StageImage): Record<StageName, readonly string[]> {
  return Object.fromEntries(STAGES.map((s) => [s, stageImageCommand(declared, s)])) as Record<
    StageName,
    readonly string[]
  >;
}
