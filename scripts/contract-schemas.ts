import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { manifestPartSchema, manifestSchema } from '../lib/contract/manifest.js';
import { runnerRecordSchema } from '../lib/contract/result-checksum.js';
import { snapshotManifestSchema } from '../lib/contract/snapshot-manifest.js';
import { runRecordSchema } from '../lib/run/run-record.js';
import { STAGE_IMAGE_ROOT, stageImageSchema } from '../lib/contract/stage-image.js';

/** The stage contract's version (docs/CONTRACT.md); it names the schemas' `$id` folder. */
export const CONTRACT_VERSION = 1;

/** Where the committed schemas live, relative to the repository root. */
export const SCHEMAS_DIR = 'docs/schemas';

const ID_BASE = `https://epycloud.dev/schemas/contract/v${CONTRACT_VERSION}/`;

/** One published schema: its file under {@link SCHEMAS_DIR}, its title and description, its zod source. */
interface ContractSchema {
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly schema: z.ZodType;
}

/** Every JSON document of the contract that epycloud reads with a zod schema. */
const CONTRACT_SCHEMAS: readonly ContractSchema[] = [
  {
    file: 'manifest.json',
    title: 'Manifest head',
    description:
      'builder-artifacts/manifest.json: written LAST by Stage A, after every task input and every manifest part; its presence means Stage A completed. numTasks is N.',
    schema: manifestSchema,
  },
  {
    file: 'manifest-part.json',
    title: 'Manifest part',
    description:
      'builder-artifacts/manifest-parts/part_NNNNN.json: entries first .. first + partSize - 1 (fewer in the last part), in index order; key is the full storage key of task input i, sha256 the hex digest of its uncompressed bytes.',
    schema: manifestPartSchema,
  },
  {
    file: 'snapshot-manifest.json',
    title: 'Experiment snapshot manifest',
    description:
      'experiment/snapshot-manifest.json: written by the launcher after every snapshot file; path is relative to experiment/.',
    schema: snapshotManifestSchema,
  },
  {
    file: 'runner-record.json',
    title: 'Runner summary result record',
    description:
      'The part of summaries/runner_NNNNN.json that epycloud reads: the checksum of result i, written by Stage B after result i. Other fields of the summary are free.',
    schema: runnerRecordSchema,
  },
  {
    file: 'run-record.json',
    title: 'Run record',
    description:
      'run.json at the run prefix: written by the launcher (never by a stage) when the run starts, rewritten whole when it ends.',
    schema: runRecordSchema,
  },
  {
    file: 'stages-config.json',
    title: 'Stages config',
    description:
      'An experiment config (config/<any name>.yaml) whose only root is stages: the image every stage of the run is a container of, and per-stage commands (after the image ENTRYPOINT; default the stage name). YAML, validated as this JSON document.',
    schema: z.object({ [STAGE_IMAGE_ROOT]: stageImageSchema }).strict(),
  },
];

/**
 * The contract's JSON Schemas (draft 2020-12) as file name -> file text,
 * generated from the zod schemas the readers use. `io: 'input'` describes what
 * the readers accept: unknown fields are allowed (zod strips them).
 */
export async function generateContractSchemas(): Promise<Map<string, string>> {
  const options = { ...(await resolveConfig(join(SCHEMAS_DIR, 'x.json'))), parser: 'json' };
  const out = new Map<string, string>();
  for (const { file, title, description, schema } of CONTRACT_SCHEMAS) {
    const { $schema, ...body } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io: 'input',
      unrepresentable: 'throw',
    });
    const document = { $schema, $id: `${ID_BASE}${file}`, title, description, ...body };
    out.set(file, await format(JSON.stringify(document), options));
  }
  return out;
}

/** Committed files under `dir` that differ from `expected`, are missing, or are not generated. */
export async function staleSchemaFiles(
  dir: string,
  expected: ReadonlyMap<string, string>,
): Promise<string[]> {
  const present = (await readdir(dir).catch(() => [] as string[])).filter((f) =>
    f.endsWith('.json'),
  );
  const stale = present.filter((f) => !expected.has(f));
  for (const [file, text] of expected) {
    const committed = await readFile(join(dir, file), 'utf8').catch(() => undefined);
    if (committed !== text) stale.push(file);
  }
  return stale.sort();
}

async function main(argv: readonly string[]): Promise<number> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const dir = join(root, SCHEMAS_DIR);
  const schemas = await generateContractSchemas();
  if (argv.includes('--check')) {
    const stale = await staleSchemaFiles(dir, schemas);
    for (const file of stale) process.stderr.write(`stale: ${SCHEMAS_DIR}/${file}\n`);
    if (stale.length > 0) process.stderr.write('run `npm run schemas` to regenerate them\n');
    return stale.length > 0 ? 1 : 0;
  }
  await mkdir(dir, { recursive: true });
  for (const [file, text] of schemas) await writeFile(join(dir, file), text);
  process.stdout.write(`wrote ${schemas.size} schemas to ${SCHEMAS_DIR}/\n`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = await main(process.argv.slice(2));
