import { RunLayout } from '../../../lib/contract/layout.js';
import type { Logger } from '../../../lib/log.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import type { TaskResult } from '../../../lib/experiment/task.js';
import { Storage, type ObjectTags } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';
import { decodeResult, encodeResult } from '../../../pipeline-scripts/result-arrow.js';

/** A small SIR experiment: 3 locations x 1 sample, 4 simulations over 3 weeks. */
export const EXPERIMENT: Record<string, string> = {
  'config/model.yaml': `model:
  name: tiny-sir
  random_seed: 42
  timespan: {start_date: 2024-01-01, end_date: 2024-01-20, delta_t: 1}
  simulation: {n_sims: 4, resample: weekly}
  population: {name: US-MA}
  compartments:
    - {id: S, init: default}
    - {id: I, init: 500}
    - {id: R}
  transitions:
    - {type: mediated, source: S, target: I, mediator: I, rate: beta}
    - {type: spontaneous, source: I, target: R, rate: gamma}
  parameters: {beta: 0.4, gamma: 0.2}
`,
  'config/modelset.yaml': 'modelset:\n  population_names: [US-MA, US-VT, US-RI]\n',
  'config/output.yaml':
    'output:\n  quantiles: {levels: [0.1, 0.5, 0.9]}\n  trajectories: {compartments: [I]}\n',
};

/** Records every key written, in order. */
export class RecordingDriver extends MemoryDriver {
  readonly puts: string[] = [];
  override async put(
    key: string,
    body: Uint8Array,
    contentType: string,
    tags?: ObjectTags,
  ): Promise<void> {
    this.puts.push(key);
    return super.put(key, body, contentType, tags);
  }
}

/** A logger that keeps its lines. */
export function memoryLogger(): Logger & {
  lines: { level: string; message: string; fields?: Record<string, unknown> }[];
} {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  return {
    lines,
    info: (message, fields) =>
      lines.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
    error: (message, fields) =>
      lines.push({ level: 'error', message, ...(fields ? { fields } : {}) }),
  };
}

/** Storage with the experiment snapshot (files, then its manifest) already uploaded for run `runId`; none for no files. */
export async function seededRun(runId = 'run-1', files: Record<string, string> = EXPERIMENT) {
  const driver = new RecordingDriver();
  const storage = new Storage(driver);
  const layout = new RunLayout('tests/tiny', runId);
  if (Object.keys(files).length > 0)
    await writeSnapshot(storage, layout, new Map(Object.entries(files)));
  driver.puts.length = 0;
  return { driver, storage, layout };
}

/** Result i of a run, decoded. */
export async function readTaskResult(
  storage: Storage,
  layout: RunLayout,
  index: number,
): Promise<TaskResult> {
  return decodeResult(await storage.get(layout.result(index)));
}

/** Overwrites result i (without recording its checksum, as an edit after Stage B would). */
export async function putTaskResult(
  storage: Storage,
  layout: RunLayout,
  index: number,
  result: TaskResult,
): Promise<void> {
  await storage.put(layout.result(index), encodeResult(result));
}
