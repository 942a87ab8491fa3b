import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES } from '../../../lib/host/images.js';
import { dockerRun, inspectImage, prepareDocker } from './docker-env.js';

let release: () => void = () => {};
beforeAll(async () => {
  release = await prepareDocker();
});
afterAll(() => release());

describe.each(Object.entries(IMAGES))('image %s (%s)', (target, image) => {
  it('holds the bundle, its fonts and the one native package (resvg), nothing else of the build', () => {
    const listing = dockerRun(image, [
      'sh',
      '-c',
      'cd /app && find . -maxdepth 3 -mindepth 1 | sort; test ! -e /app/lib',
    ]);
    expect(listing.status, listing.stderr).toBe(0);
    const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
    expect(listing.stdout.split('\n').filter(Boolean)).toEqual([
      './dist',
      './dist/fonts',
      './dist/fonts/DejaVuSans-Bold.ttf',
      './dist/fonts/DejaVuSans.ttf',
      './dist/stage.mjs',
      './node_modules',
      './node_modules/@resvg',
      './node_modules/@resvg/resvg-js',
      `./node_modules/@resvg/resvg-js-linux-${arch}-gnu`,
    ]);
  });

  it('runs as a non-root user in /app, with the stage command and its execution mode', () => {
    expect(inspectImage(image, '{{.Config.User}}')).toBe('node');
    expect(inspectImage(image, '{{.Config.WorkingDir}}')).toBe('/app');
    expect(inspectImage(image, '{{json .Config.Cmd}}')).toBe('["node","dist/stage.mjs"]');
    expect(inspectImage(image, '{{json .Config.Env}}')).toContain(`EXECUTION_MODE=${target}`);
    expect(dockerRun(image, ['id', '-u']).stdout.trim()).toBe('1000');
  });

  it('starts its entrypoint: usage error without a stage, a JSON error naming the missing variable without env', () => {
    const usage = dockerRun(image, ['node', 'dist/stage.mjs']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/Usage: stage <A\|B\|C\|builder\|runner\|output>/);
    const noEnv = dockerRun(image, ['node', 'dist/stage.mjs', 'runner']);
    expect(noEnv.status).toBe(2);
    const line = JSON.parse(noEnv.stderr.trim().split('\n').pop()!) as {
      level: string;
      message: string;
      code: string;
    };
    expect(line).toMatchObject({ level: 'error', code: 'VALIDATION' });
    expect(line.message).toMatch(/EXP_ID/);
  });

  it('is small: the base plus a bundle of a few MB', () => {
    const base = Number(inspectImage(image, '{{.Size}}'));
    expect(base).toBeLessThan(400e6);
    const bundle = dockerRun(image, ['sh', '-c', 'wc -c < /app/dist/stage.mjs']);
    expect(Number(bundle.stdout.trim())).toBeLessThan(8e6);
    // the bundle, the two fonts and resvg (its platform binary is ~4 MB): 8.2 MB when measured
    const app = dockerRun(image, ['sh', '-c', 'du -sk /app | cut -f1']);
    expect(Number(app.stdout.trim()) * 1024).toBeLessThan(15e6);
  });
});
