import { describe, expect, it } from 'vitest';
import { runStage } from '../../../pipeline-scripts/stage-main.js';

async function run(argv: string[], env: Record<string, string>) {
  const lines: Record<string, unknown>[] = [];
  const code = await runStage(argv, env, {
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { code, lines };
}

const env = {
  EXECUTION_MODE: 'local',
  LOCAL_BUCKET_DIR: '/nonexistent/epycloud-test',
  EXP_ID: 'e',
  RUN_ID: 'r',
};

describe('stage entrypoint', () => {
  it('exits 2 with one JSON error line for a bad stage name or argument count', async () => {
    const bad = await run(['D'], env);
    expect(bad.code).toBe(2);
    expect(bad.lines).toEqual([
      expect.objectContaining({
        level: 'error',
        stage: 'D',
        code: 'VALIDATION',
        message: 'Unknown stage "D": expected A, B, C, builder, runner or output',
      }),
    ]);
    expect((await run([], env)).code).toBe(2);
    expect((await run(['A', 'B'], env)).lines[0]).toMatchObject({
      message: 'Usage: stage <A|B|C|builder|runner|output> (got 2 argument(s))',
    });
  });

  it('exits 2 naming a missing or invalid environment variable', async () => {
    const { EXP_ID: _omit, ...withoutExp } = env;
    const missing = await run(['builder'], withoutExp);
    expect(missing.code).toBe(2);
    expect(missing.lines[0]).toMatchObject({
      message: 'Environment variable EXP_ID is not set: expected the experiment id',
    });
    const badFault = await run(['runner'], { ...env, EPYCLOUD_FAULT_TASKS: 'x' });
    expect(badFault.code).toBe(2);
    expect(badFault.lines[0]).toMatchObject({
      message: 'Environment variable EPYCLOUD_FAULT_TASKS="x" is not a non-negative integer',
    });
    const badDate = await run(['builder'], { ...env, REFERENCE_DATE: '2024-12-13' });
    expect(badDate.code).toBe(2);
    expect(badDate.lines[0]).toMatchObject({
      message: expect.stringMatching(
        /^Environment variable REFERENCE_DATE="2024-12-13" is invalid/,
      ),
    });
  });

  it('exits with the stage error code when the run has no manifest', async () => {
    const result = await run(['C'], env);
    expect(result.code).toBe(5);
    expect(result.lines[0]).toMatchObject({
      level: 'error',
      stage: 'output',
      exp_id: 'e',
      run_id: 'r',
      code: 'STAGE',
    });
  });
});
