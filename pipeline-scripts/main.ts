/**
 * The one stage entrypoint: `tsx pipeline-scripts/main.ts <A|B|C|builder|runner|output>`
 * (bundled: `node dist/stage.mjs runner`). Configuration comes from the
 * environment (see lib/contract/env.ts); logs are JSON lines on stderr.
 * Exits with 0 or the failure's exit code, even if a client left sockets open.
 * With `EPYCLOUD_LIFELINE=stdin` (set by the local launchers) it ends (SIGTERM)
 * as soon as its stdin closes: the process that launched it is gone. The
 * bundle's own sha256 is the stage code's identity in the task cache.
 */
import { ENV, STDIN_LIFELINE } from '../lib/contract/env.js';
import { exitWhenStdinCloses } from './lifeline.js';
import { bundleSha256 } from './code-identity.js';
import { runStage } from './stage-main.js';

if (process.env[ENV.lifeline] === STDIN_LIFELINE) {
  exitWhenStdinCloses(process.argv[2] ?? 'unknown');
}

const codeSha256 = bundleSha256(import.meta.url);
process.exit(await runStage(process.argv.slice(2), process.env, codeSha256 ? { codeSha256 } : {}));
