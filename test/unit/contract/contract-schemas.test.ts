import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ENV } from '../../../lib/contract/env.js';
import { RunLayout } from '../../../lib/contract/layout.js';
import { writeSnapshot } from '../../../lib/run/experiment-snapshot.js';
import { writeManifest } from '../../../lib/run/manifest.js';
import { writeResult } from '../../../lib/run/result-check.js';
import { Storage } from '../../../lib/storage/index.js';
import {
  generateContractSchemas,
  SCHEMAS_DIR,
  staleSchemaFiles,
} from '../../../scripts/contract-schemas.js';
import { MemoryDriver } from '../../support/memory-driver.js';

const root = new URL('../../../', import.meta.url);
const schemasDir = fileURLToPath(new URL(`${SCHEMAS_DIR}/`, root));
const hash = (c: string): string => c.repeat(64);

let schemas: Map<string, string>;
const ajv = new Ajv2020({ allErrors: true, strict: true });

beforeAll(async () => {
  schemas = await generateContractSchemas();
  for (const text of schemas.values()) ajv.addSchema(JSON.parse(text) as object);
});

/** Validates a document against a committed schema by file name; returns ajv's error text or undefined. */
function problems(file: string, document: unknown): string | undefined {
  const validate = ajv.getSchema(`https://epycloud.dev/schemas/contract/v1/${file}`);
  if (validate === undefined) throw new Error(`no schema ${file}`);
  return validate(document) ? undefined : ajv.errorsText(validate.errors);
}

/** A run's manifest, snapshot manifest and result record, written by the real code into memory. */
async function writtenRun() {
  const storage = new Storage(new MemoryDriver());
  const layout = new RunLayout('flu/demo', 'r1', 'team/');
  await writeSnapshot(storage, layout, new Map([['config/model.yaml', 'model: {}\n']]));
  const entries = [0, 1, 2].map((index) => ({
    index,
    key: layout.input(index),
    sha256: hash(String(index)),
  }));
  await writeManifest(storage, layout, entries, '2026-05-01T00:00:00.000Z', 2);
  const result = await writeResult(storage, layout, 1, hash('1'), 'any bytes');
  await storage.putJson(layout.summary('runner', 1), { stage: 'runner', taskIndex: 1, result });
  const read = (key: string) => storage.getJson(key);
  return {
    head: await read(layout.manifest),
    part: await read(layout.manifestPart(1)),
    snapshot: await read(layout.snapshotManifest),
    runner: await read(layout.summary('runner', 1)),
  };
}

describe('contract JSON Schemas', () => {
  it('the committed schemas are what `npm run schemas` generates', async () => {
    expect(await staleSchemaFiles(schemasDir, schemas)).toEqual([]);
    expect([...schemas.keys()].sort()).toEqual([
      'manifest-part.json',
      'manifest.json',
      'run-record.json',
      'runner-record.json',
      'snapshot-manifest.json',
      'stages-config.json',
    ]);
  });

  it('each schema is draft 2020-12 with an $id, a title and a description', () => {
    for (const [file, text] of schemas) {
      expect(JSON.parse(text)).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        $id: `https://epycloud.dev/schemas/contract/v1/${file}`,
        title: expect.any(String),
        description: expect.any(String),
      });
    }
  });

  it('documents written by the real code validate', async () => {
    const run = await writtenRun();
    expect(problems('manifest.json', run.head)).toBeUndefined();
    expect(problems('manifest-part.json', run.part)).toBeUndefined();
    expect(problems('snapshot-manifest.json', run.snapshot)).toBeUndefined();
    expect(problems('runner-record.json', run.runner)).toBeUndefined();
  });

  it('a manifest head without numTasks is rejected, naming the field', async () => {
    const { numTasks: _omitted, ...broken } = (await writtenRun()).head as Record<string, unknown>;
    expect(problems('manifest.json', broken)).toMatch(/numTasks/);
  });

  it('a result record with a bad sha256 is rejected, naming the field', () => {
    const result = { key: 'k', inputSha256: hash('a'), sha256: 'ABC', bytes: 1 };
    expect(problems('runner-record.json', { result })).toMatch(/\/result\/sha256/);
  });

  it("the Python example's stages config validates; an image with a space or an empty command does not", async () => {
    const text = await readFile(
      fileURLToPath(
        new URL('../../../examples/python-model/experiment/config/stages.yaml', import.meta.url),
      ),
      'utf8',
    );
    const config = parseYaml(text) as { stages: Record<string, unknown> };
    expect(problems('stages-config.json', config)).toBeUndefined();
    const badImage = { stages: { ...config.stages, image: 'my model:1' } };
    expect(problems('stages-config.json', badImage)).toMatch(/\/stages\/image/);
    const noCommand = { stages: { image: 'm:1', commands: { runner: [] } } };
    expect(problems('stages-config.json', noCommand)).toMatch(/\/stages\/commands\/runner/);
  });

  it('a minimal run record validates; one without launches does not', () => {
    const record = {
      version: 1,
      expId: 'flu/demo',
      runId: 'r1',
      state: 'succeeded',
      backend: 'local',
      runtime: 'docker',
      startedAt: '2026-05-01T00:00:00.000Z',
      experiment: { sha256: hash('e'), files: [] },
      epycloudVersion: '0.1.0',
      launches: [{ kind: 'start', at: '2026-05-01T00:00:00.000Z', by: 'me@host' }],
      cache: { enabled: true },
    };
    expect(problems('run-record.json', record)).toBeUndefined();
    expect(problems('run-record.json', { ...record, launches: [] })).toMatch(/launches/);
  });
});

describe('docs/CONTRACT.md', () => {
  it('names every environment variable of the contract', async () => {
    const doc = await readFile(new URL('docs/CONTRACT.md', root), 'utf8');
    const missing = Object.values(ENV).filter((name) => !doc.includes(`\`${name}\``));
    expect(missing).toEqual([]);
  });
});
