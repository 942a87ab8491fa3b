import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCloudImage } from '../../../lib/cloud/build.js';
import { downloadRun, globToRegExp, listRunIds } from '../../../lib/run/download.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { S3Driver, Storage } from '../../../lib/storage/index.js';
import { DEPLOYMENT, fakeWithStacks } from './fixtures.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('globToRegExp', () => {
  it('matches * within a folder, ** across folders, ? one character', () => {
    expect(globToRegExp('outputs/*/q_*.csv.gz').test('outputs/2026/q_a.csv.gz')).toBe(true);
    expect(globToRegExp('outputs/*.gz').test('outputs/x/y.gz')).toBe(false);
    expect(globToRegExp('**/*.json').test('summaries/runner_00001.json')).toBe(true);
    expect(globToRegExp('**/*.json').test('manifest.json')).toBe(true);
    expect(globToRegExp('a?c').test('a/c')).toBe(false);
  });
});

describe('downloadRun over S3', () => {
  const old = new RunLayout('e', '20260101-000000-aaaaaaaa');
  const newest = new RunLayout('e', '20260102-000000-bbbbbbbb');

  it('lists every 1,000-key page, picks the newest run, and copies matching files byte for byte', async () => {
    const aws = fakeWithStacks();
    for (let i = 0; i < 2500; i++) aws.objects.set(old.result(i), new Uint8Array([1]));
    const gz = gzipSync('date,quantile\n');
    aws.objects.set(`${newest.outputDir('20260102-010000')}quantiles_compartments.csv.gz`, gz);
    aws.objects.set(
      `${newest.outputDir('20260102-010000')}index.json`,
      new TextEncoder().encode('{}'),
    );
    aws.objects.set(newest.summary('output'), new TextEncoder().encode('{}'));
    const storage = new Storage(new S3Driver(aws.clients.s3, DEPLOYMENT.bucketName));
    dir = await mkdtemp(join(tmpdir(), 'epy-dl-'));
    const result = await downloadRun(storage, { expId: 'e', outDir: dir });
    expect(result.runId).toBe('20260102-000000-bbbbbbbb');
    expect(result.files).toEqual(
      ['index.json', 'quantiles_compartments.csv.gz'].map((f) =>
        join(dir!, `20260102-000000-bbbbbbbb/outputs/20260102-010000/${f}`),
      ),
    );
    expect(Buffer.compare(await readFile(result.files[1]!), gz)).toBe(0);
    const pages = aws.calls.filter(
      (c) => c.api === 'ListObjectsV2' && (c.input as { Prefix: string }).Prefix === 'e/runs/',
    );
    expect(pages).toHaveLength(3);
    const all = await downloadRun(storage, {
      expId: 'e',
      runId: '20260101-000000-aaaaaaaa',
      files: 'runner-artifacts/*',
      outDir: dir,
    });
    expect(all.files).toHaveLength(2500);
    await expect(
      downloadRun(storage, { expId: 'e', files: 'nothing/*', outDir: dir }),
    ).rejects.toThrow(/No file of run 20260102-000000-bbbbbbbb matches "nothing\/\*"/);
  });

  it('never downloads an output folder without index.json (an interrupted Stage C)', async () => {
    const aws = fakeWithStacks();
    aws.objects.set(
      `${newest.outputDir('20260102-010000')}q.csv`,
      new TextEncoder().encode('done'),
    );
    aws.objects.set(
      `${newest.outputDir('20260102-010000')}index.json`,
      new TextEncoder().encode('{}'),
    );
    aws.objects.set(
      `${newest.outputDir('20260102-020000')}q.csv`,
      new TextEncoder().encode('cut short'),
    );
    aws.objects.set(
      `${old.outputDir('20260101-010000')}q.csv`,
      new TextEncoder().encode('cut short'),
    );
    const storage = new Storage(new S3Driver(aws.clients.s3, DEPLOYMENT.bucketName));
    dir = await mkdtemp(join(tmpdir(), 'epy-dl-'));
    const result = await downloadRun(storage, { expId: 'e', outDir: dir, files: '**' });
    expect(result.files.map((f) => f.slice(dir!.length + 1))).toEqual([
      '20260102-000000-bbbbbbbb/outputs/20260102-010000/index.json',
      '20260102-000000-bbbbbbbb/outputs/20260102-010000/q.csv',
    ]);
    await expect(
      downloadRun(storage, { expId: 'e', runId: old.runId, outDir: dir }),
    ).rejects.toThrow(
      /unfinished output folders \(no index\.json\) are never downloaded: 20260101-010000/,
    );
  });

  it("finds only the experiment's own runs, not those of a nested experiment", async () => {
    const aws = fakeWithStacks();
    aws.objects.set(
      `${new RunLayout('rel/coll', 'r1').outputDir('s')}index.json`,
      new TextEncoder().encode('{}'),
    );
    aws.objects.set(
      `${new RunLayout('rel/coll/r1', 'zz').outputDir('s')}index.json`,
      new TextEncoder().encode('{}'),
    );
    const storage = new Storage(new S3Driver(aws.clients.s3, DEPLOYMENT.bucketName));
    expect(await listRunIds(storage, 'rel/coll')).toEqual(['r1']);
    expect(await listRunIds(storage, 'rel/coll/r1')).toEqual(['zz']);
  });
});

describe('buildCloudImage', () => {
  it('builds the cloud target, logs in with the ECR token on stdin, and pushes to the stack repository', async () => {
    const aws = fakeWithStacks();
    const commands: string[] = [];
    const result = await buildCloudImage(
      aws.clients,
      DEPLOYMENT,
      { tag: 'v7' },
      async (cmd, args, options) => {
        commands.push(
          [cmd, ...args, options?.input ? `<stdin:${options.input}>` : ''].join(' ').trim(),
        );
      },
    );
    const uri = `${DEPLOYMENT.repositoryUri}:v7`;
    expect(result.imageUri).toBe(uri);
    expect(commands).toEqual([
      `docker build --target cloud -f docker/Dockerfile -t ${uri} .`,
      'docker login --username AWS --password-stdin https://123.dkr.ecr.eu-west-1.amazonaws.com <stdin:secret-pass>',
      `docker push ${uri}`,
    ]);
  });
});
