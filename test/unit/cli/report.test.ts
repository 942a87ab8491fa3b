import { Command } from 'commander';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { registerReport } from '../../../cli/commands/report.js';
import type { CloudCommandDeps } from '../../../cli/deps.js';
import { cloudSession } from '../../../lib/cloud/session.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { EnvironmentError, NotFoundError, ValidationError } from '../../../lib/errors.js';
import { FakeAws } from '../cloud/fake-aws.js';
import { fakeWithStacks } from '../cloud/fixtures.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { LocalDriver, Storage } from '../../../lib/storage/index.js';

const OLD = new RunLayout('flu', '20260301-000000-aaaaaaaa');
const NEW = new RunLayout('flu', '20260302-000000-bbbbbbbb');
const NEWEST = new RunLayout('flu', '20260303-000000-cccccccc');

let dir: string;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `epycloud report ...` with recording deps; `aws` answers the cloud calls. */
async function run(argv: string[], options: { aws?: FakeAws; env?: NodeJS.ProcessEnv } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CloudCommandDeps = {
    session: (o) =>
      cloudSession({ region: o.region }, o.stackPrefix, (options.aws ?? new FakeAws()).clients),
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: options.env ?? {},
    cwd: dir,
  };
  const program = new Command('epycloud').exitOverride();
  registerReport(program, () => deps);
  await program.parseAsync(['node', 'epycloud', 'report', ...argv]);
  return { out: out.join(''), err: err.join('') };
}

/** Writes files of the local bucket under `<dir>/local/bucket`. */
async function bucketFiles(keys: readonly string[]): Promise<string> {
  const bucket = join(dir, 'local', 'bucket');
  for (const key of keys) {
    await mkdir(dirname(join(bucket, key)), { recursive: true });
    await writeFile(join(bucket, key), `<!-- ${key} -->`);
  }
  return bucket;
}

/** A finished output folder of a run, with or without its report. */
const folder = (layout: RunLayout, stamp: string, withReport = true): string[] => [
  `${layout.outputDir(stamp)}q.csv.gz`,
  ...(withReport ? [`${layout.outputDir(stamp)}report.html`] : []),
  `${layout.outputDir(stamp)}index.json`,
];

describe('report --local', () => {
  it("prints the absolute path of the newest finished output folder's report in the local bucket", async () => {
    dir = await mkdtemp(join(tmpdir(), 'epy-report-'));
    const bucket = await bucketFiles([
      ...folder(OLD, '20260301-010000'),
      ...folder(NEW, '20260302-010000'),
      ...folder(NEW, '20260302-020000'),
      `${NEW.outputDir('20260302-030000')}report.html`, // unfinished: no index.json
      NEWEST.summary('builder'), // still running: no output yet
    ]);
    const { out, err } = await run(['--local', '--exp-id', 'flu']);
    expect(out).toBe(`${join(bucket, NEW.outputDir('20260302-020000'), 'report.html')}\n`);
    expect(err).toContain('passed over: 20260303-000000-cccccccc');
    const json = await run(['--local', '--exp-id', 'flu', '--run-id', OLD.runId, '--json']);
    expect(JSON.parse(json.out)).toEqual({
      expId: 'flu',
      runId: OLD.runId,
      outputDir: 'outputs/20260301-010000/',
      report: join(bucket, OLD.outputDir('20260301-010000'), 'report.html'),
    });
  });

  it('takes the output folder by its stamp, and refuses an unfinished one naming the finished ones', async () => {
    dir = await mkdtemp(join(tmpdir(), 'epy-report-'));
    const bucket = await bucketFiles([
      ...folder(NEW, '20260302-010000'),
      ...folder(NEW, '20260302-020000'),
      `${NEW.outputDir('20260302-030000')}report.html`,
    ]);
    const args = ['--local', '--exp-id', 'flu', '--output-dir'];
    expect((await run([...args, '20260302-010000'])).out).toBe(
      `${join(bucket, NEW.outputDir('20260302-010000'), 'report.html')}\n`,
    );
    expect((await run([...args, 'outputs/20260302-020000/'])).out).toBe(
      `${join(bucket, NEW.outputDir('20260302-020000'), 'report.html')}\n`,
    );
    const failure = run([...args, '20260302-030000']);
    await expect(failure).rejects.toThrow(ValidationError);
    await expect(failure).rejects.toThrow(
      'Output folder "20260302-030000" of run 20260302-000000-bbbbbbbb is unfinished (no index.json): expected one of 20260302-010000, 20260302-020000',
    );
  });

  it('says to re-run Stage C when the output folder has no report.html (an older run)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'epy-report-'));
    await bucketFiles(folder(OLD, '20260301-010000', false));
    const failure = run(['--local', '--exp-id', 'flu']);
    await expect(failure).rejects.toThrow(NotFoundError);
    await expect(failure).rejects.toThrow(
      `Not found: report.html in output folder ${OLD.outputDir('20260301-010000')} (in ${join(dir, 'local', 'bucket')}; ` +
        'the folder was written before Stage C wrote reports: re-run Stage C to write one ' +
        `(epycloud run job --stage C --exp-id flu --run-id ${OLD.runId}, with --local for a local run))`,
    );
  });

  it("says a run of an experiment with its own image has the image's outputs, not a report to re-run", async () => {
    dir = await mkdtemp(join(tmpdir(), 'epy-report-'));
    const bucket = await bucketFiles(folder(OLD, '20260301-010000', false));
    await writeSnapshot(
      new Storage(new LocalDriver(bucket)),
      OLD,
      new Map([['config/stages.yaml', 'stages:\n  image: python-model:local\n']]),
    );
    const failure = run(['--local', '--exp-id', 'flu']);
    await expect(failure).rejects.toThrow(NotFoundError);
    await expect(failure).rejects.toThrow(
      `report.html is the built-in engine's, and this run's stages ran in its own image python-model:local: ` +
        `see what it wrote with epycloud download --exp-id flu --run-id ${OLD.runId}`,
    );
  });

  it('names what is missing when there is no run or no finished output', async () => {
    dir = await mkdtemp(join(tmpdir(), 'epy-report-'));
    await expect(run(['--local', '--exp-id', 'flu'])).rejects.toThrow(
      /Not found: runs of experiment flu/,
    );
    await bucketFiles([`${NEW.outputDir('20260302-010000')}report.html`]);
    await expect(run(['--local', '--exp-id', 'flu'])).rejects.toThrow(
      /a finished output folder \(with index\.json\) in any run of experiment flu/,
    );
    await expect(run(['--local', '--exp-id', 'flu', '--run-id', NEW.runId])).rejects.toThrow(
      `a finished output folder (with index.json) of run ${NEW.runId}: run its Stage C first`,
    );
    await expect(run(['--local', '--exp-id', 'flu', '--run-id', OLD.runId])).rejects.toThrow(
      `Not found: run ${OLD.runId} of experiment flu`,
    );
  });

  it('fails before anything else when --pdf finds no Chromium, saying how to install one', async () => {
    dir = await mkdtemp(join(tmpdir(), 'epy-report-'));
    await bucketFiles(folder(OLD, '20260301-010000'));
    const failure = run(['--local', '--exp-id', 'flu', '--pdf'], { env: { PATH: dir } });
    await expect(failure).rejects.toThrow(EnvironmentError);
    await expect(failure).rejects.toThrow(
      /No Chromium found \(looked at PUPPETEER_EXECUTABLE_PATH, CHROME_PATH, then chromium, chromium-browser, google-chrome, google-chrome-stable on PATH\)[\s\S]*sudo apt-get install chromium[\s\S]*CHROME_PATH/,
    );
    await expect(
      run(['--local', '--exp-id', 'flu', '--pdf'], { env: { CHROME_PATH: join(dir, 'nope') } }),
    ).rejects.toThrow(`CHROME_PATH="${join(dir, 'nope')}" is not an executable file`);
  });
});

describe('report (cloud)', () => {
  it('downloads the report into --to/<exp-id>/<run-id>/<stamp>/report.html and prints that path', async () => {
    dir = await mkdtemp(join(tmpdir(), 'epy-report-'));
    const aws = fakeWithStacks();
    const html = new TextEncoder().encode('<!DOCTYPE html><title>r</title>');
    aws.objects.set(`${NEW.outputDir('20260302-010000')}report.html`, html);
    aws.objects.set(
      `${NEW.outputDir('20260302-010000')}index.json`,
      new TextEncoder().encode('{}'),
    );
    const { out } = await run(['--exp-id', 'flu', '--to', 'r'], { aws });
    const path = join(dir, 'r', 'flu', NEW.runId, '20260302-010000', 'report.html');
    expect(out).toBe(`${path}\n`);
    expect(await readFile(path, 'utf8')).toBe('<!DOCTYPE html><title>r</title>');
    const json = JSON.parse((await run(['--exp-id', 'flu', '--json'], { aws })).out);
    expect(json.report).toBe(
      join(dir, 'reports', 'flu', NEW.runId, '20260302-010000', 'report.html'),
    );
  });
});
