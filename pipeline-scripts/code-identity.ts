import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { sha256 } from '../lib/run/checksum.js';

/**
 * The identity of the stage code that runs: the sha256 of the one-file bundle
 * (`dist/stage.mjs`) whose module URL this is. Run from sources (tsx), a
 * module is not the whole code, so there is no identity and the task cache is
 * off.
 */
export function bundleSha256(moduleUrl: string): string | undefined {
  if (!moduleUrl.startsWith('file:') || !moduleUrl.endsWith('.mjs')) return undefined;
  return sha256(readFileSync(fileURLToPath(moduleUrl)));
}
