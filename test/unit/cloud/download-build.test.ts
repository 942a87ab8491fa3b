import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { buildCloudImage } from '../../../lib/cloud/build.js';
import { downloadRun, globToRegExp } from '../../../lib/cloud/download.js';
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
  it('lists every 1,000-key page, picks the newest run, and copies matching files byte for byte', async () => {
    const aws = fakeWithStacks();
    for (let i = 0; i < 2500; i++)
      aws.objects.set(`e/20260101-000000-aaaaaaaa/runner-artifacts/result_${String(i).padStart(5, '0')}.json.gz`, new Uint8Array([1]));
    const gz = gzipSync('date,quantile\n');
    aws.objects.set('e/20260102-000000-bbbbbbbb/outputs/20260102-010000/quantiles_compartments.csv.gz', gz);
    aws.objects.set('e/20260102-000000-bbbbbbbb/summaries/output.json', new TextEncoder().encode('{}'));
    const storage = new Storage(new S3Driver(aws.clients.s3, DEPLOYMENT.bucketName));
    dir = await mkdtemp(join(tmpdir(), 'epy-dl-'));
    const result = await downloadRun(storage, { expId: 'e', outDir: dir });
    expect(result.runId).toBe('20260102-000000-bbbbbbbb');
    expect(result.files).toEqual([join(dir, '20260102-000000-bbbbbbbb/outputs/20260102-010000/quantiles_compartments.csv.gz')]);
    expect(Buffer.compare(await readFile(result.files[0]!), gz)).toBe(0);
    const pages = aws.calls.filter((c) => c.api === 'ListObjectsV2' && (c.input as { Prefix: string }).Prefix === 'e/');
    expect(pages).toHaveLength(3);
    const all = await downloadRun(storage, { expId: 'e', runId: '20260101-000000-aaaaaaaa', files: 'runner-artifacts/*', outDir: dir });
    expect(all.files).toHaveLength(2500);
    await expect(downloadRun(storage, { expId: 'e', files: 'nothing/*', outDir: dir })).rejects.toThrow(
      /No file of run 20260102-000000-bbbbbbbb matches "nothing\/\*"/,
    );
  });
});

describe('buildCloudImage', () => {
  it('builds the cloud target, logs in with the ECR token on stdin, and pushes to the stack repository', async () => {
    const aws = fakeWithStacks();
    const commands: string[] = [];
    const result = await buildCloudImage(aws.clients, DEPLOYMENT, { tag: 'v7' }, async (cmd, args, options) => {
      commands.push([cmd, ...args, options?.input ? `<stdin:${options.input}>` : ''].join(' ').trim());
    });
    const uri = `${DEPLOYMENT.repositoryUri}:v7`;
    expect(result.imageUri).toBe(uri);
    expect(commands).toEqual([
      `docker build --target cloud -f docker/Dockerfile -t ${uri} .`,
      'docker login --username AWS --password-stdin https://123.dkr.ecr.eu-west-1.amazonaws.com <stdin:secret-pass>',
      `docker push ${uri}`,
    ]);
  });
});
