import { describe, expect, it } from 'vitest';
import {
  CALIBRATION_LOG_MESSAGE,
  calibrationProgressSchema,
} from '../../../lib/contract/calibration-progress.js';
import { Storage, type ObjectTags } from '../../../lib/storage/index.js';
import { MemoryDriver } from '../../support/memory-driver.js';
import { runBuilder } from '../../../pipeline-scripts/builder.js';
import {
  calibrationPlan,
  calibrationRecorder,
} from '../../../pipeline-scripts/calibration-progress.js';
import { runRunner } from '../../../pipeline-scripts/runner.js';
import { forecastExperiment } from './forecast-fixture.js';
import { memoryLogger, readTaskResult, seededRun } from './helpers.js';

const now = () => new Date('2026-01-02T03:04:05Z');

describe('Stage B calibration progress', () => {
  it('stores a forecast task’s progress under progress/task_i.json, matching its last generation', async () => {
    const run = await seededRun('fc-progress', forecastExperiment());
    const log = memoryLogger();
    await runBuilder({ layout: run.layout, now }, run.storage, log);
    await runRunner({ layout: run.layout, taskIndex: 1, now }, run.storage, log);

    const key = run.layout.progress(1);
    expect(key).toBe('tests/tiny/runs/fc-progress/progress/task_00001.json');
    const stored = calibrationProgressSchema.strict().parse(await run.storage.getJson(key));
    const result = await readTaskResult(run.storage, run.layout, 1);
    const last = result.calibration!.generations.at(-1)!;
    expect(stored).toEqual({
      generation: last.generation,
      generations: 3,
      accepted: last.accepted,
      particles: 60,
      tolerance: last.tolerance,
      simulations: last.simulations,
      updatedAt: '2026-01-02T03:04:05.000Z',
    });
    expect(stored.generation).toBe(2);
    // One small put per generation, each while calibration goes on (the loop yields); task 0 wrote nothing.
    expect(run.driver.puts.filter((k) => k === key)).toHaveLength(3);
    expect(run.driver.puts.lastIndexOf(key)).toBeLessThan(
      run.driver.puts.indexOf(run.layout.result(1)),
    );
    expect(await run.storage.exists(run.layout.progress(0))).toBe(false);

    const lines = log.lines.filter((l) => l.message === CALIBRATION_LOG_MESSAGE);
    expect(lines.map((l) => calibrationProgressSchema.parse(l.fields).generation)).toEqual([
      0, 1, 2,
    ]);
    expect(lines[0]?.fields).toMatchObject({
      population: 'US-WY',
      generations: 3,
      particles: 60,
      tolerance: null,
    });
  });

  it('writes no progress for a task without calibration', async () => {
    const run = await seededRun('plain');
    await runBuilder({ layout: run.layout, now }, run.storage, memoryLogger());
    await runRunner({ layout: run.layout, taskIndex: 0 }, run.storage, memoryLogger());
    expect(await run.storage.list(run.layout.progressPrefix)).toEqual([]);
  });

  it('plans SMC’s generations and particles; rejection is one generation of unknown size', () => {
    const smc = {
      type: 'smc',
      particles: 300,
      generations: 8,
      toleranceQuantile: 0.5,
      minTolerance: 0,
      kernel: 'gaussian',
      maxSimulations: 1e6,
    } as const;
    expect(calibrationPlan(smc)).toEqual({ generations: 8, particles: 300 });
    expect(calibrationPlan({ type: 'rejection', simulations: 1000, topFraction: 0.1 })).toEqual({
      generations: 1,
      particles: null,
    });
  });
});

/** A driver whose puts wait until released, recording what each wrote and how many overlapped. */
class SlowDriver extends MemoryDriver {
  readonly written: number[] = [];
  maxInFlight = 0;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  fail = false;
  override async put(
    key: string,
    body: Uint8Array,
    contentType: string,
    tags?: ObjectTags,
  ): Promise<void> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight -= 1;
    if (this.fail) throw new Error('S3 is down');
    this.written.push(
      (JSON.parse(Buffer.from(body).toString('utf8')) as { generation: number }).generation,
    );
    return super.put(key, body, contentType, tags);
  }
  release(): void {
    for (const resolve of this.waiting.splice(0)) resolve();
  }
}

describe('calibrationRecorder', () => {
  const summary = (generation: number) => ({
    generation,
    tolerance: generation === 0 ? Infinity : 10 / generation,
    accepted: 60,
    simulations: 90,
    ess: 50,
  });
  const recorder = (driver: SlowDriver, log = memoryLogger()) =>
    calibrationRecorder({
      storage: new Storage(driver),
      key: 'p/task_00000.json',
      plan: { generations: 8, particles: 60 },
      log,
      now,
    });

  it('never overlaps writes and keeps the newest: generations ending during a write collapse into one next write', async () => {
    const driver = new SlowDriver();
    const r = recorder(driver);
    r.onGeneration(summary(0));
    r.onGeneration(summary(1));
    r.onGeneration(summary(2));
    const flushed = r.flush();
    for (let i = 0; i < 5; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      driver.release();
    }
    await flushed;
    expect(driver.written).toEqual([0, 2]);
    expect(driver.maxInFlight).toBe(1);
    expect(
      calibrationProgressSchema.parse(await new Storage(driver).getJson('p/task_00000.json')),
    ).toMatchObject({
      generation: 2,
      tolerance: 5,
    });
  });

  it('logs a failed write and carries on: progress never fails a task', async () => {
    const driver = new SlowDriver();
    driver.fail = true;
    const log = memoryLogger();
    const r = recorder(driver, log);
    r.onGeneration(summary(0));
    driver.release();
    await r.flush();
    expect(log.lines.map((l) => l.message)).toEqual([
      CALIBRATION_LOG_MESSAGE,
      'calibration progress not stored',
    ]);
  });
});
