import { STAGE_IMAGE_ROOT, stageImageSchema, type StageImage } from '../contract/stage-image.js';
import type { RunLayout } from '../contract/layout.js';
import { ConfigError } from '../errors.js';
import { readVerifiedSnapshot } from '../run/experiment-snapshot.js';
import type { Storage } from '../storage/index.js';
import type { ExperimentFiles } from './experiment.js';
import { YamlSource } from './yaml-source.js';

const YAML_CONFIG = /^config\/[^/]+\.ya?ml$/;

/** Whether a parsed config's only root key is `stages:`. */
function isStagesConfig(source: YamlSource): boolean {
  const value = source.value;
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.hasOwn(value, STAGE_IMAGE_ROOT)
  );
}

/** The readable `config/*.yaml` files whose root is `stages:`, by name. */
function stagesSources(files: ExperimentFiles): YamlSource[] {
  return [...files.keys()]
    .filter((name) => YAML_CONFIG.test(name))
    .sort()
    .map((name) => new YamlSource(name, files.get(name)!))
    .filter((source) => source.syntaxProblems.length === 0 && isStagesConfig(source));
}

/**
 * For the built-in engine's loader: a ConfigError when the experiment names
 * its own image (the run was started without it, e.g. by a deployment
 * config's data trigger, which cannot carry it), instead of a config it
 * cannot read.
 */
export function refuseOwnImageExperiment(files: ExperimentFiles): void {
  const [source] = stagesSources(files);
  if (source === undefined) return;
  const image = stageImageSchema.safeParse(
    (source.value as Record<string, unknown>)[STAGE_IMAGE_ROOT],
  ).data?.image;
  throw new ConfigError(`Experiment runs in its own image, not the built-in engine`, [
    source.problem(
      [STAGE_IMAGE_ROOT],
      `this experiment runs in its own image ${image ?? '(invalid)'}, not the built-in engine: ` +
        'start it with epycloud run workflow (or an epycloud schedule), which run its stages in that image',
    ),
  ]);
}

/**
 * The experiment's own stage image, from the one `config/*.yaml` whose root is
 * `stages:` (docs/CONTRACT.md, "Your image in a run"); undefined when none has
 * it (the built-in engine's experiment). A ConfigError naming file, field and
 * line when it is invalid, shares its file with other roots, or is declared twice.
 */
export function readStageImage(files: ExperimentFiles): StageImage | undefined {
  const [source, another] = stagesSources(files);
  if (source === undefined) return undefined;
  const problems: string[] = [];
  if (another !== undefined)
    problems.push(
      another.problem(
        [STAGE_IMAGE_ROOT],
        `a second "${STAGE_IMAGE_ROOT}:" config (the first is ${source.file}): expected one per experiment`,
      ),
    );
  const roots = Object.keys(source.value as object);
  if (roots.length !== 1)
    problems.push(
      source.problem(
        [],
        `expected "${STAGE_IMAGE_ROOT}:" as the file's only root key; got ${roots.join(', ')}: move the others to their own file`,
      ),
    );
  const parsed = stageImageSchema.safeParse(
    (source.value as Record<string, unknown>)[STAGE_IMAGE_ROOT],
  );
  if (!parsed.success)
    problems.push(...source.zodProblems(parsed.error.issues, [STAGE_IMAGE_ROOT]));
  if (problems.length > 0 || !parsed.success)
    throw new ConfigError(`Invalid stage image config in ${source.file}`, problems);
  return parsed.data;
}

/**
 * What a run's stages run in, from the run's own snapshot (never the folder as
 * it is now): its experiment's own image, or undefined for the built-in engine
 * and for a run without a snapshot (nothing uploaded yet; its stage says so).
 * A snapshot that is there but unreadable or changed is a StageError, and any
 * storage failure is thrown: never taken for "the built-in engine".
 */
export async function readRunStageImage(
  storage: Storage,
  layout: RunLayout,
): Promise<StageImage | undefined> {
  if (!(await storage.exists(layout.snapshotManifest))) return undefined;
  return readStageImage(await readVerifiedSnapshot(storage, layout));
}
