import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNTH_TIMEOUT, synthFixture, type SynthFixture } from './support.js';

type Resource = { Type: string; Properties?: Record<string, unknown> };
type Template = {
  Resources?: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Export?: { Name?: unknown } }>;
};

/** A deployment as first deployed. */
const BEFORE = { 'epycloud:environments': { dev: {} } };

/**
 * The same deployment after an everyday change: a bigger, longer runner, another retry rule and
 * more attempts, another image tag, and other cost-allocation tags (which reach the job queue).
 */
const AFTER = {
  'epycloud:environments': {
    dev: {
      stages: { runner: { vcpus: 2, memoryMiB: 8192, timeoutMinutes: 240 } },
      retry: { attempts: 5, transientExitCodes: [6, 75] },
      image: { tag: '2026-05-01' },
      billingProject: 'flu-2026',
      tags: { team: 'modelling' },
    },
  },
};

/**
 * Resource types whose `Ref`/`Fn::GetAtt` change on any change of their properties: a job
 * definition update registers a new revision (a new ARN), and the Tags of job queues and compute
 * environments are create-only (a change replaces them). Other resources keep their `Ref` through
 * tag changes.
 */
const REPLACED_ON_ANY_CHANGE = new Set([
  'AWS::Batch::JobDefinition',
  'AWS::Batch::JobQueue',
  'AWS::Batch::ComputeEnvironment',
]);

const templatesOf = (f: SynthFixture): Template[] => Object.values(f.templates) as Template[];

/** Every value of `key` (e.g. `Fn::ImportValue`) anywhere in a JSON value. */
function intrinsicArgs(value: unknown, key: string): unknown[] {
  if (Array.isArray(value)) return value.flatMap((v) => intrinsicArgs(v, key));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => [
    ...(k === key ? [v] : []),
    ...intrinsicArgs(v, key),
  ]);
}

/** The logical ids a value refers to with `Ref` or `Fn::GetAtt` (pseudo parameters excluded). */
function referencedIds(value: unknown): string[] {
  const refs = intrinsicArgs(value, 'Ref').map(String);
  const atts = intrinsicArgs(value, 'Fn::GetAtt').map((a) =>
    String(Array.isArray(a) ? a[0] : String(a).split('.')[0]),
  );
  return [...refs, ...atts].filter((id) => !id.startsWith('AWS::'));
}

/** Export name -> the value and the template of the stack that exports it. */
function exportsOf(f: SynthFixture): Map<string, { value: unknown; template: Template }> {
  const found = new Map<string, { value: unknown; template: Template }>();
  for (const template of templatesOf(f))
    for (const output of Object.values(template.Outputs ?? {}))
      if (typeof output.Export?.Name === 'string')
        found.set(output.Export.Name, { value: output.Value, template });
  return found;
}

/** Names of the exports some stack of the app imports. */
function importedNames(f: SynthFixture): string[] {
  const names = templatesOf(f).flatMap((t) => intrinsicArgs(t, 'Fn::ImportValue'));
  for (const name of names) expect(typeof name, JSON.stringify(name)).toBe('string');
  return [...new Set(names as string[])].sort();
}

/** What must not change for a resource's `Ref`/`Fn::GetAtt` to stay the same across an update. */
function identityOf(resource: Resource | undefined): unknown {
  if (resource === undefined) return undefined;
  if (REPLACED_ON_ANY_CHANGE.has(resource.Type)) return resource;
  const { Tags: _tags, ...rest } = resource.Properties ?? {};
  return { Type: resource.Type, Properties: rest };
}

describe('updating a deployment (CloudFormation refuses to change an export another stack imports)', () => {
  let before: SynthFixture;
  let after: SynthFixture;
  beforeAll(() => {
    before = synthFixture(BEFORE);
    after = synthFixture(AFTER);
  }, SYNTH_TIMEOUT);
  afterAll(() => {
    for (const f of [before, after]) if (f) rmSync(f.app.outdir, { recursive: true, force: true });
  });

  it('imports the same exports before and after', () => {
    expect(importedNames(before).length).toBeGreaterThan(0);
    expect(importedNames(after)).toEqual(importedNames(before));
  });

  it('changes no imported export when stage sizes, retry rules, the image tag or tags change', () => {
    const was = exportsOf(before);
    const now = exportsOf(after);
    const changed: string[] = [];
    for (const name of importedNames(before)) {
      const old = was.get(name);
      const fresh = now.get(name);
      if (old === undefined || fresh === undefined) {
        changed.push(`${name}: not exported`);
        continue;
      }
      if (JSON.stringify(old.value) !== JSON.stringify(fresh.value))
        changed.push(
          `${name}: value ${JSON.stringify(old.value)} -> ${JSON.stringify(fresh.value)}`,
        );
      for (const id of referencedIds(old.value)) {
        const a = old.template.Resources?.[id];
        const b = fresh.template.Resources?.[id];
        if (JSON.stringify(identityOf(a)) !== JSON.stringify(identityOf(b)))
          changed.push(`${name}: refers to ${a?.Type ?? '?'} ${id}, which this update changes`);
      }
    }
    expect(changed).toEqual([]);
  });

  it('keeps the create-only properties (names, tags) of the job queue and compute environments', () => {
    const batchResources = (f: SynthFixture) =>
      Object.fromEntries(
        templatesOf(f).flatMap((t) =>
          Object.entries(t.Resources ?? {}).filter(
            ([, r]) =>
              r.Type === 'AWS::Batch::JobQueue' || r.Type === 'AWS::Batch::ComputeEnvironment',
          ),
        ),
      );
    const was = batchResources(before);
    const now = batchResources(after);
    expect(Object.keys(was).length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(now).sort()).toEqual(Object.keys(was).sort());
    for (const [id, resource] of Object.entries(was)) {
      const fresh = now[id] as Resource;
      for (const key of ['Tags', 'JobQueueName', 'ComputeEnvironmentName', 'Type'])
        expect(fresh.Properties?.[key], `${id}.${key}`).toEqual(resource.Properties?.[key]);
    }
    const queue = Object.entries(was).find(([, r]) => r.Type === 'AWS::Batch::JobQueue');
    expect(queue?.[1].Properties?.JobQueueName, 'the queue has a fixed name').toEqual(
      expect.any(String),
    );
  });
});
