import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../../lib/host/paths.js';

/** A process that watches its stdin lifeline, then computes without yielding for `busyMs`. */
function busyStage(busyMs: number) {
  const lifeline = join(PROJECT_ROOT, 'pipeline-scripts', 'lifeline.ts');
  const script = `const { exitWhenStdinCloses } = await import(${JSON.stringify(lifeline)}); exitWhenStdinCloses('runner'); console.log('busy'); const t = Date.now(); while (Date.now() - t < ${busyMs}) {} console.log('done');`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const busy = new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
  const ended = new Promise<{ code: number | null; signal: string | null; at: number }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, at: performance.now() })),
  );
  return { child, busy, ended, output: () => ({ stdout, stderr }) };
}

describe('the stdin lifeline of a stage (EPYCLOUD_LIFELINE=stdin)', () => {
  it('ends a stage busy computing at once when its stdin closes, and logs why', async () => {
    const stage = busyStage(20_000);
    await stage.busy;
    await new Promise((r) => setTimeout(r, 300)); // the watcher thread is up
    const closed = performance.now();
    stage.child.stdin.end();
    const { signal, at } = await stage.ended;
    expect(signal).toBe('SIGTERM');
    expect(at - closed).toBeLessThan(2_000);
    expect(stage.output().stdout).not.toContain('done');
    const line = JSON.parse(stage.output().stderr.trim().split('\n').at(-1)!) as Record<
      string,
      unknown
    >;
    expect(line).toMatchObject({
      level: 'error',
      stage: 'runner',
      message: expect.stringMatching(/stdin closed, the process that launched this stage is gone/),
    });
  });

  it('lets a stage whose stdin stays open finish and exit by itself', async () => {
    const stage = busyStage(200);
    expect(await stage.ended).toMatchObject({ code: 0, signal: null });
    expect(stage.output().stdout).toBe('busy\ndone\n');
  });
});
