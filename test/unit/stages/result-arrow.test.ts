import { describe, expect, it } from 'vitest';
import { taskInputSchema, type TaskInput, type TaskResult } from '../../../lib/experiment/task.js';
import { runBuilder } from '../../../pipeline-scripts/builder.js';
import { computeForecastResult } from '../../../pipeline-scripts/forecast-result.js';
import { decodeResult, encodeResult } from '../../../pipeline-scripts/result-arrow.js';
import { computeResult } from '../../../pipeline-scripts/runner.js';
import { forecastExperiment } from './forecast-fixture.js';
import { EXPERIMENT, memoryLogger, seededRun } from './helpers.js';

async function builtInput(files: Record<string, string>, index: number): Promise<TaskInput> {
  const run = await seededRun('arrow', files);
  await runBuilder({ layout: run.layout }, run.storage, memoryLogger());
  return taskInputSchema.parse(await run.storage.getJson(run.layout.input(index))) as TaskInput;
}

const synthetic: TaskResult = {
  version: 1,
  taskIndex: 7,
  inputSha256: 'a'.repeat(64),
  population: { code: 'US-MA', name: 'Massachusetts', size: 7_000_000 },
  sample: { id: 3, values: { R0: 1.5, start_date: '2024-01-01' } },
  nSims: 2,
  groups: ['0-17', '18+'],
  dates: ['2024-01-06', '2024-01-13', '2024-01-20'],
  compartments: {
    S: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    I: [0.5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, -0],
  },
  transitions: { S_to_I: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, 2 ** 31] },
};

describe('Arrow task results', () => {
  it('round-trip a simulated result exactly', async () => {
    const input = await builtInput(EXPERIMENT, 1);
    const result = computeResult(input, 'b'.repeat(64));
    expect(decodeResult(encodeResult(result))).toEqual(result);
  });

  it('round-trip a forecast result, its calibration section included', async () => {
    const input = await builtInput(forecastExperiment(), 0);
    const result = await computeForecastResult(input, 'c'.repeat(64));
    expect(decodeResult(encodeResult(result))).toEqual(result);
  });

  it('keep non-integer, negative zero and beyond-Int32 values exactly, in series order', () => {
    const decoded = decodeResult(encodeResult(synthetic));
    expect(decoded).toEqual(synthetic);
    expect(Object.is(decoded.compartments.I![11], -0)).toBe(true);
    expect(Object.keys(decoded.compartments)).toEqual(['S', 'I']);
  });

  it('refuse bytes that are not such a result', () => {
    expect(() => decodeResult(new TextEncoder().encode('{"version":1}'))).toThrow();
    const table = encodeResult({
      ...synthetic,
      nSims: 1,
      compartments: { S: [1, 2, 3, 4, 5, 6] },
      transitions: {},
    });
    expect(decodeResult(table).compartments.S).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
