import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findChromium, requireChromium } from '../../../lib/host/chromium.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'epy-chromium-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Creates `<dir>/<folder>/<name>`, executable or not. */
async function program(folder: string, name: string, executable = true): Promise<string> {
  await mkdir(join(dir, folder), { recursive: true });
  const path = join(dir, folder, name);
  await writeFile(path, '#!/bin/sh\n');
  await chmod(path, executable ? 0o755 : 0o644);
  return path;
}

describe('the Chromium finder of report --pdf', () => {
  it('honours PUPPETEER_EXECUTABLE_PATH, then CHROME_PATH, before PATH', async () => {
    const puppeteer = await program('p', 'chrome');
    const chrome = await program('c', 'chrome');
    await program('bin', 'chromium');
    const PATH = join(dir, 'bin');
    expect(
      await findChromium({ PUPPETEER_EXECUTABLE_PATH: puppeteer, CHROME_PATH: chrome, PATH }),
    ).toBe(puppeteer);
    expect(await findChromium({ PUPPETEER_EXECUTABLE_PATH: '', CHROME_PATH: chrome, PATH })).toBe(
      chrome,
    );
  });

  it('looks for chromium, chromium-browser, google-chrome, google-chrome-stable on PATH, in that order', async () => {
    const stable = await program('a', 'google-chrome-stable');
    const browser = await program('b', 'chromium-browser');
    await program('c', 'chromium', false); // not executable: passed by
    const PATH = ['a', 'b', 'c', 'missing'].map((d) => join(dir, d)).join(delimiter);
    expect(await findChromium({ PATH })).toBe(browser);
    expect(await findChromium({ PATH: join(dir, 'a') })).toBe(stable);
    expect(await findChromium({ PATH: join(dir, 'c') })).toBeUndefined();
    expect(await findChromium({})).toBeUndefined();
  });

  it('refuses a variable that names no executable file rather than using another browser', async () => {
    await program('bin', 'chromium');
    await expect(
      findChromium({ PUPPETEER_EXECUTABLE_PATH: dir, PATH: join(dir, 'bin') }),
    ).rejects.toThrow(`PUPPETEER_EXECUTABLE_PATH="${dir}" is not an executable file`);
  });

  it('says how to install one when none is found', async () => {
    await expect(requireChromium({ PATH: dir })).rejects.toThrow(
      /sudo apt-get install chromium \(Debian\/Ubuntu; bash scripts\/setup\.sh does it\),\n {2}or set CHROME_PATH/,
    );
  });
});
