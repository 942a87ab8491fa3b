import { ConfigError } from '../errors.js';
import type { Experiment, ExperimentFiles, LoadOptions } from './experiment.js';
import { checkModel, checkOutput, reporter } from './check-model.js';
import { checkTimeline } from './check-timeline.js';
import { checkValues } from './check-values.js';
import { readContactLayers, sumLayers } from './contact-layers.js';
import { checkModelset, checkSampledCovered } from './check-modelset.js';
import {
  ALL_LOCATIONS,
  readAgeDistribution,
  readContactMatrix,
  type AgeDistribution,
} from './csv-data.js';
import { findLocation, LOCATIONS } from './locations.js';
import {
  CONFIG_ROOTS,
  outputSchema,
  type ModelConfig,
  type ModelsetConfig,
  type OutputConfig,
} from './schema.js';
import { YamlSource } from './yaml-source.js';
import { refuseOwnImageExperiment } from './stage-image.js';
import { loadCalibrationData, withReferenceDate } from './load-calibration.js';
import { checkPlan, planExperiment } from './plan.js';

const CONFIG_FILE = /^config\/[^/]+\.ya?ml$/;

type Root = keyof typeof CONFIG_ROOTS;

/** Parses every config file and sorts it by its root key; `unreadable` counts files with invalid YAML. */
function readConfigs(
  files: ExperimentFiles,
  problems: string[],
): { byRoot: Map<Root, YamlSource[]>; unreadable: number } {
  const byRoot = new Map<Root, YamlSource[]>();
  let unreadable = 0;
  const names = [...files.keys()].filter((f) => CONFIG_FILE.test(f)).sort();
  if (names.length === 0)
    problems.push(
      'config/: no *.yaml files found: expected at least config/model.yaml with a "model:" root',
    );
  for (const name of names) {
    const source = new YamlSource(name, files.get(name)!);
    problems.push(...source.syntaxProblems);
    if (source.syntaxProblems.length > 0) {
      unreadable++;
      continue;
    }
    const value = source.value;
    const roots =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? Object.keys(value)
        : [];
    if (roots.length !== 1 || !Object.hasOwn(CONFIG_ROOTS, roots[0]!)) {
      problems.push(
        source.problem(
          [],
          `expected exactly one root key, one of ${Object.keys(CONFIG_ROOTS).join(', ')}; got ${roots.length ? roots.join(', ') : 'none'}`,
        ),
      );
      continue;
    }
    const root = roots[0] as Root;
    byRoot.set(root, [...(byRoot.get(root) ?? []), source]);
  }
  return { byRoot, unreadable };
}

function matchesOutputName(file: string, wanted: string): boolean {
  return (
    file === wanted ||
    file === `config/${wanted}` ||
    file.slice('config/'.length) === wanted.replace(/^\.?\/?/, '')
  );
}

/** Picks the output config file: the only one, or the one `OUTPUT_CONFIG_FILE` names. */
function pickOutput(
  sources: YamlSource[],
  wanted: string | undefined,
  problems: string[],
): YamlSource | undefined {
  const names = sources.map((s) => s.file).join(', ');
  if (wanted === undefined) {
    if (sources.length > 1)
      problems.push(
        `config/: ${sources.length} output configs (${names}): set OUTPUT_CONFIG_FILE to pick one`,
      );
    return sources[0];
  }
  const found = sources.find((s) => matchesOutputName(s.file, wanted));
  if (!found)
    problems.push(
      `OUTPUT_CONFIG_FILE="${wanted}" names no output config: expected one of ${names || '(none: the experiment has no output config)'}`,
    );
  return found;
}

function parseRoot<T>(
  source: YamlSource | undefined,
  root: Root,
  problems: string[],
): T | undefined {
  if (!source) return undefined;
  const result = CONFIG_ROOTS[root].safeParse((source.value as Record<string, unknown>)[root]);
  if (result.success) return result.data as T;
  problems.push(...source.zodProblems(result.error.issues, [root]));
  return undefined;
}

function single(
  byRoot: Map<Root, YamlSource[]>,
  root: Root,
  problems: string[],
): YamlSource | undefined {
  const sources = byRoot.get(root) ?? [];
  if (sources.length > 1)
    problems.push(
      `config/: ${sources.length} files with a "${root}:" root (${sources.map((s) => s.file).join(', ')}): expected one`,
    );
  return sources[0];
}

/** Group names, age distribution and contact matrix, read from the experiment's CSVs when named. */
function readGroups(
  source: YamlSource,
  model: ModelConfig,
  files: ExperimentFiles,
  problems: string[],
) {
  const {
    age_groups: groups = ['0'],
    age_distribution: distFile,
    contact_matrix: contactFile,
    contact_layers: layerFiles,
  } = model.population;
  const table = <T>(
    key: 'age_distribution' | 'contact_matrix',
    file: string | undefined,
    read: (
      f: string,
      text: string,
      g: readonly string[],
    ) => { value?: T; problems: readonly string[] },
  ): T | undefined => {
    if (file === undefined) {
      if (groups.length > 1)
        problems.push(
          source.problem(
            ['model', 'population'],
            `${key} is required with ${groups.length} age groups: expected a CSV path relative to the experiment folder`,
          ),
        );
      return undefined;
    }
    const text = files.get(file.replace(/^\.\//, ''));
    if (text === undefined) {
      problems.push(
        source.problem(
          ['model', 'population', key],
          `file "${file}" not found in the experiment folder`,
        ),
      );
      return undefined;
    }
    const result = read(file, text, groups);
    problems.push(...result.problems);
    return result.value;
  };
  const ageDistribution = table('age_distribution', distFile, readAgeDistribution) ?? {
    [ALL_LOCATIONS]: groups.map(() => 1 / groups.length),
  };
  if (layerFiles !== undefined) {
    const contactLayers = readContactLayers(source, layerFiles, files, groups, problems);
    return {
      groups,
      ageDistribution,
      contact: contactLayers ? sumLayers(contactLayers, groups.length) : [[1]],
      contactLayers,
    };
  }
  const contact = table('contact_matrix', contactFile, readContactMatrix) ?? [[1]];
  return { groups, ageDistribution, contact };
}

/** The location codes a run covers: the modelset's list (`all` = the 53), else the model's population. */
export function locationCodes(model: ModelConfig, modelset: ModelsetConfig | undefined): string[] {
  const names = modelset?.population_names;
  return names === 'all' ? LOCATIONS.map((l) => l.code) : (names ?? [model.population.name]);
}

/** A per-location age distribution must name known locations and cover every location of the run. */
function checkAgeCoverage(
  model: ModelConfig,
  modelset: ModelsetConfig | undefined,
  dist: AgeDistribution,
  problems: string[],
): void {
  if (ALL_LOCATIONS in dist) return;
  const file = model.population.age_distribution!;
  const unknown = Object.keys(dist).filter(
    (code) => !findLocation(code) && code !== model.population.name,
  );
  if (unknown.length > 0)
    problems.push(
      `${file}: unknown location column(s) ${unknown.join(', ')}: expected "fraction" or location codes such as US-MA`,
    );
  const columns = new Set(Object.keys(dist).map((key) => findLocation(key)?.code ?? key));
  const missing = locationCodes(model, modelset).filter(
    (code) => !columns.has(findLocation(code)?.code ?? code),
  );
  if (missing.length > 0)
    problems.push(
      `${file}: no column for ${missing.join(', ')}: expected one column per location of the run, or a single "fraction" column`,
    );
}

/**
 * Loads and validates an experiment from its files without writing anything.
 * Throws a {@link ConfigError} listing EVERY problem found (file, path, line, expectation).
 */
export function loadExperiment(files: ExperimentFiles, options: LoadOptions = {}): Experiment {
  refuseOwnImageExperiment(files);
  const problems: string[] = [];
  const { byRoot, unreadable } = readConfigs(files, problems);
  const modelSource = single(byRoot, 'model', problems);
  if (!modelSource && byRoot.size > 0 && unreadable === 0)
    problems.push('config/: no file with a "model:" root: expected one basemodel');
  const modelsetSource = single(byRoot, 'modelset', problems);
  const outputSource = pickOutput(byRoot.get('output') ?? [], options.outputConfigFile, problems);
  const model = parseRoot<ModelConfig>(modelSource, 'model', problems);
  const modelset = withReferenceDate(
    parseRoot<ModelsetConfig>(modelsetSource, 'modelset', problems),
    options.referenceDate,
    problems,
  );
  const output = outputSource
    ? parseRoot<OutputConfig>(outputSource, 'output', problems)
    : outputSchema.parse({});
  if (model && modelSource) {
    const report = reporter(modelSource, problems);
    const data = readGroups(modelSource, model, files, problems);
    checkModel(report, model, data.groups.length);
    checkTimeline(report, model);
    if (modelset && modelsetSource)
      checkModelset(reporter(modelsetSource, problems), modelset, model);
    if (output && outputSource) checkOutput(reporter(outputSource, problems), output, model);
    if (modelset || !modelsetSource) checkSampledCovered(report, model, modelset); // an unparsable modelset would only add echoes
    checkAgeCoverage(model, modelset, data.ageDistribution, problems);
    const size = { locations: locationCodes(model, modelset).length, groups: data.groups.length };
    const plan = modelset || !modelsetSource ? planExperiment(model, modelset, size) : undefined;
    const reports = {
      model: report,
      modelset: modelsetSource && reporter(modelsetSource, problems),
    };
    if (plan) checkPlan(reports, plan, model, modelset?.calibration !== undefined);
    if (problems.length === 0) checkValues(report, model, data.groups, data.contactLayers);
    const calibration = modelset?.calibration;
    const observed =
      calibration && modelsetSource
        ? loadCalibrationData(
            modelsetSource,
            calibration,
            { model, modelset, files, locationCodes: locationCodes(model, modelset) },
            problems,
          )
        : undefined;
    if (problems.length === 0 && output && plan) {
      const sources = {
        model: modelSource.file,
        ...(modelsetSource ? { modelset: modelsetSource.file } : {}),
      };
      return {
        model,
        modelset,
        output,
        outputFile: outputSource?.file,
        files: sources,
        ...data,
        observed,
        plan,
      };
    }
  }
  throw new ConfigError(
    `Experiment configuration is invalid (${problems.length} problem${problems.length === 1 ? '' : 's'})`,
    problems,
  );
}
