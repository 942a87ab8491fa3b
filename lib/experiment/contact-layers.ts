import { readContactMatrix } from './csv-data.js';
import type { ExperimentFiles } from './experiment.js';
import type { ContactLayers } from './spec-parts.js';
import type { YamlSource } from './yaml-source.js';

/**
 * Reads `population.contact_layers` (name -> CSV path, each laid out as a
 * `contact_matrix`); undefined when a file is missing or malformed (the
 * problems name the file, the layer and the line).
 */
export function readContactLayers(
  source: YamlSource,
  layerFiles: Readonly<Record<string, string>>,
  files: ExperimentFiles,
  groups: readonly string[],
  problems: string[],
): ContactLayers | undefined {
  const layers: Record<string, number[][]> = {};
  let ok = true;
  for (const [name, file] of Object.entries(layerFiles)) {
    const text = files.get(file.replace(/^\.\//, ''));
    if (text === undefined) {
      problems.push(
        source.problem(
          ['model', 'population', 'contact_layers', name],
          `file "${file}" not found in the experiment folder`,
        ),
      );
      ok = false;
      continue;
    }
    const result = readContactMatrix(file, text, groups);
    problems.push(...result.problems);
    if (result.value === undefined) ok = false;
    else layers[name] = result.value;
  }
  return ok && Object.keys(layers).length > 0 ? layers : undefined;
}

/** The overall contact matrix: the layers summed. */
export function sumLayers(layers: ContactLayers, groups: number): number[][] {
  const sum = Array.from({ length: groups }, () => new Array<number>(groups).fill(0));
  for (const matrix of Object.values(layers))
    matrix.forEach((row, g) => row.forEach((c, h) => (sum[g]![h]! += c)));
  return sum;
}
