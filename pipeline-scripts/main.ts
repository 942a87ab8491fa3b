/**
 * The one stage entrypoint: `tsx pipeline-scripts/main.ts <A|B|C|builder|runner|output>`
 * (bundled: `node dist/stage.mjs runner`). Configuration comes from the
 * environment (see lib/contract/env.ts); logs are JSON lines on stderr.
 * Exits with 0 or the failure's exit code, even if a client left sockets open.
 */
import { runStage } from './stage-main.js';

process.exit(await runStage(process.argv.slice(2), process.env));
