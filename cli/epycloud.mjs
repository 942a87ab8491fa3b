#!/usr/bin/env node
// The installed `epycloud` command. It runs the compiled CLI, dist/cli/main.mjs
// (npm run build:cli; `npm pack` builds it), when it is current, and otherwise
// loads the TypeScript sources through tsx:
//   - the installed package carries no CLI sources (no cli/main.ts): compiled;
//   - a checkout: compiled only while every source it was built from has the
//     size and mtime dist/cli/sources.json recorded, so an edit never runs stale
//     code; no build, or any change since: tsx;
//   - EPYCLOUD_CLI=compiled or EPYCLOUD_CLI=source picks one (the bench does).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** Whether dist/cli was built from the sources as they are now. */
function compiledIsCurrent() {
  if (!existsSync(join(root, 'dist', 'cli', 'main.mjs'))) return false;
  if (!existsSync(join(import.meta.dirname, 'main.ts'))) return true;
  try {
    const { sources } = JSON.parse(readFileSync(join(root, 'dist', 'cli', 'sources.json'), 'utf8'));
    return Object.entries(sources).every(([file, [size, mtimeMs]]) => {
      const now = statSync(join(root, file), { throwIfNoEntry: false });
      return now?.size === size && now.mtimeMs === mtimeMs;
    });
  } catch {
    return false;
  }
}

// The AWS SDK warns on Node < 22 that its 2027 releases will need Node 22
// (NodeVersionSupportWarning): nothing a user of this CLI can act on. Local
// stage processes inherit the setting; set it to anything else to see the warning.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const choice = process.env.EPYCLOUD_CLI;
if (choice === 'compiled' || (choice !== 'source' && compiledIsCurrent())) {
  await import('../dist/cli/main.mjs');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./main.ts');
}
