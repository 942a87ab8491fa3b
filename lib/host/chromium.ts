import { access, constants, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { EnvironmentError } from '../errors.js';

/** Variables naming a Chromium binary, in the order they are honoured. */
export const CHROMIUM_ENV = ['PUPPETEER_EXECUTABLE_PATH', 'CHROME_PATH'] as const;

/** Commands looked up on `PATH`, in order, when no variable names a binary. */
export const CHROMIUM_COMMANDS = [
  'chromium',
  'chromium-browser',
  'google-chrome',
  'google-chrome-stable',
] as const;

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * This machine's Chromium: the file `PUPPETEER_EXECUTABLE_PATH` or
 * `CHROME_PATH` names (an EnvironmentError when it is no executable), else the
 * first of {@link CHROMIUM_COMMANDS} on `PATH`; undefined when there is none.
 */
export async function findChromium(
  env: Readonly<Record<string, string | undefined>>,
): Promise<string | undefined> {
  for (const name of CHROMIUM_ENV) {
    const path = env[name];
    if (path === undefined || path === '') continue;
    if (await isExecutableFile(path)) return path;
    throw new EnvironmentError(
      `${name}="${path}" is not an executable file: point it at a Chromium or Chrome binary, or unset it`,
    );
  }
  const dirs = (env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  for (const command of CHROMIUM_COMMANDS)
    for (const dir of dirs)
      if (await isExecutableFile(join(dir, command))) return join(dir, command);
  return undefined;
}

/** {@link findChromium}, or an EnvironmentError saying how to install one. */
export async function requireChromium(
  env: Readonly<Record<string, string | undefined>>,
): Promise<string> {
  const found = await findChromium(env);
  if (found !== undefined) return found;
  throw new EnvironmentError(
    `No Chromium found (looked at ${CHROMIUM_ENV.join(', ')}, then ${CHROMIUM_COMMANDS.join(', ')} on PATH).\n` +
      '  Install one: sudo apt-get install chromium (Debian/Ubuntu; bash scripts/setup.sh does it),\n' +
      '  or set CHROME_PATH to a Chrome or Chromium binary',
  );
}

/** Starts a headless Chromium; without its sandbox only when this process runs as root (which Chromium refuses otherwise). */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const { launch } = await import('puppeteer-core');
  try {
    return await launch({
      executablePath,
      headless: true,
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
    });
  } catch (error) {
    throw new EnvironmentError(
      `Chromium (${executablePath}) did not start: ${(error as Error).message}`,
    );
  }
}

/** Prints an HTML file to an A4 PDF (backgrounds included) with the given Chromium; returns the PDF's path. */
export async function printPdf(
  htmlPath: string,
  pdfPath: string,
  executablePath: string,
): Promise<string> {
  const browser = await launchChromium(executablePath);
  try {
    const page = await browser.newPage();
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    await page.pdf({ path: pdfPath, format: 'A4', printBackground: true });
    return pdfPath;
  } finally {
    await browser.close();
  }
}
