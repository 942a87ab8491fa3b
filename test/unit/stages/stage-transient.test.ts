import { afterEach, describe, expect, it } from 'vitest';
import { RunLayout } from '../../../lib/contract/layout.js';
import { TRANSIENT_EXIT_CODE } from '../../../lib/errors.js';
import { createS3Client, type S3Limits } from '../../../lib/storage/index.js';
import { runStage } from '../../../pipeline-scripts/stage-main.js';
import { startFaultServer, type Fault, type FaultServer } from '../../support/fault-server.js';

const FAST: S3Limits = {
  connectMs: 500,
  idleMs: 300,
  responseMs: 1_000,
  callMs: 10_000,
  maxAttempts: 2,
};
const env = {
  EXECUTION_MODE: 'cloud',
  S3_BUCKET: 'data',
  EXP_ID: 'e',
  RUN_ID: 'r',
  TASK_INDEX: '0',
};

let server: FaultServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function runAgainst(
  fault: Fault,
  stage: string,
): Promise<{ code: number; lines: Record<string, unknown>[] }> {
  server = await startFaultServer(fault);
  const lines: Record<string, unknown>[] = [];
  const s3Client = createS3Client(server.env, {}, FAST);
  const code = await runStage([stage], env, {
    s3Client,
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  s3Client.destroy();
  return { code, lines };
}

describe('stage entrypoint on a throttled or stalled S3', () => {
  it.each([
    { fault: { kind: 'error', status: 503, code: 'SlowDown' } as const, stage: 'runner' },
    { fault: { kind: 'error', status: 500, code: 'InternalError' } as const, stage: 'output' },
    { fault: { kind: 'stall' } as const, stage: 'builder' },
  ])(
    'exits with the transient code ($fault.kind $fault.status, $stage), which Batch retries',
    async ({ fault, stage }) => {
      const { code, lines } = await runAgainst(fault, stage);
      expect(code).toBe(TRANSIENT_EXIT_CODE);
      expect(lines.at(-1)).toMatchObject({
        level: 'error',
        code: 'TRANSIENT',
        message: expect.stringContaining(`s3://data/${new RunLayout('e', 'r').prefix}`),
      });
    },
  );
});
