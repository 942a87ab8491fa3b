import { describe, expect, it } from 'vitest';
import { compileModel } from '../../../lib/engine/model.js';
import { type ModelSpec } from '../../../lib/engine/spec.js';
import { resolveParameters } from '../../../lib/engine/resolve.js';
import { Rng } from '../../../lib/engine/rng.js';
import { allocateBuffers, simulate } from '../../../lib/engine/simulate.js';
import { SpecError, specProblems } from '../../../lib/engine/spec-problems.js';
import { sirSpec } from '../../../lib/engine/reference-models.js';

const DAY0 = 19723; // 2024-01-01, the first step of the test models

/** Compartment c (of 3, one group) at the end of every step of one simulation. */
function run(spec: ModelSpec, seed = 5): number[][] {
  const model = compileModel(spec);
  const buffers = allocateBuffers(model);
  simulate(model, new Rng(seed), buffers);
  return [0, 1, 2].map((c) =>
    Array.from({ length: spec.steps }, (_, t) => buffers.compartments[t * 3 + c]!),
  );
}

const withR0 = (extra: Partial<ModelSpec> = {}) =>
  sirSpec({
    parameters: { R0: [3], gamma: [0.1] },
    derived: [{ name: 'beta', expression: 'R0 * gamma' }],
    ...extra,
  });

describe('derived parameters', () => {
  it('are evaluated by compileModel after the parameters, so a new parameter value is all a particle needs', () => {
    const spec = withR0();
    expect(compileModel(spec).edgeRate[0]).toBeCloseTo(0.3, 15);
    const particle = { ...spec, parameters: { ...spec.parameters, R0: [1.5] } };
    expect(compileModel(particle).edgeRate[0]).toBeCloseTo(0.15, 15);
    expect(run(spec)).toEqual(run(sirSpec())); // same rates, same stream: same trajectory
  });

  it('chain in the given order, per group', () => {
    const spec = withR0({
      groups: ['a'],
      derived: [
        { name: 'beta', expression: 'R0 * gamma' },
        { name: 'half', expression: 'beta / 2 + 7 % 4' },
      ],
    });
    expect(resolveParameters(spec).half![0]).toBeCloseTo(3.15, 12);
  });
});

describe('parameter overrides', () => {
  const window = { startDay: DAY0 + 10, endDay: DAY0 + 19 };

  it('split the steps into segments, and the override holds from start to end inclusive', () => {
    const spec = sirSpec({ overrides: [{ parameter: 'beta', ...window, value: 0 }] });
    const model = compileModel(spec);
    expect(Array.from(model.stepSegment!.slice(8, 22))).toEqual([
      0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0,
    ]);
    expect(model.segmentEdgeRates[1]![0]).toBe(0);
    const [S] = run(spec);
    expect(S![19]).toBe(S![9]); // nobody infected on days 10..19
    expect(S![9]).toBeLessThan(S![0]!);
    expect(S![25]).toBeLessThan(S![19]!); // and the epidemic resumes
  });

  it('evaluate expressions over the values without overrides, and carry derived parameters along', () => {
    const half = compileModel(
      sirSpec({ overrides: [{ parameter: 'beta', ...window, value: 'beta * 0.5' }] }),
    );
    expect(half.segmentEdgeRates[1]![0]).toBeCloseTo(0.15, 15);
    const r0 = compileModel(withR0({ overrides: [{ parameter: 'R0', ...window, value: 1.2 }] }));
    expect(r0.segmentEdgeRates[0]![0]).toBeCloseTo(0.3, 15);
    expect(r0.segmentEdgeRates[1]![0]).toBeCloseTo(0.12, 15);
  });

  it('cover the steps that start from start_date 00:00 to end_date 00:00, as the peer does', () => {
    const model = compileModel(
      sirSpec({
        dt: 0.5,
        steps: 10,
        overrides: [{ parameter: 'beta', startDay: DAY0 + 1, endDay: DAY0 + 2, value: 0 }],
      }),
    );
    expect(Array.from(model.stepSegment!)).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 0]);
  });

  it('leave a model without time-varying features on the single-segment path', () => {
    const model = compileModel(sirSpec());
    expect(model.stepSegment).toBeUndefined();
    expect(model.forcing).toBeUndefined();
    const outside = compileModel(
      sirSpec({
        overrides: [{ parameter: 'beta', startDay: DAY0 + 500, endDay: DAY0 + 600, value: 0 }],
      }),
    );
    expect(outside.stepSegment).toBeUndefined();
  });
});

describe('seasonal forcing', () => {
  it('multiplies mediated rates by 1 + A cos(2 pi (day - peak) / period), the amplitude possibly a parameter', () => {
    const spec = sirSpec({
      parameters: { beta: [0.3], gamma: [0.1], amp: [0.5] },
      seasonality: { amplitude: 'amp', peakDay: DAY0 + 10, periodDays: 40 },
    });
    const forcing = compileModel(spec).forcing!;
    expect(forcing[10]).toBeCloseTo(1.5, 12);
    expect(forcing[30]).toBeCloseTo(0.5, 12);
    expect(forcing[20]).toBeCloseTo(1, 12);
    const flat = sirSpec({ seasonality: { amplitude: 0, peakDay: DAY0, periodDays: 365.25 } });
    expect(run(flat)).toEqual(run(sirSpec()));
    const trough = sirSpec({
      seasonality: { amplitude: 0.9, peakDay: DAY0 + 182, periodDays: 365.25 },
    });
    expect(run(trough)[0]![60]).toBeGreaterThan(run(sirSpec())[0]![60]!); // fewer infected by day 60 in winter's trough
  });
});

describe('contact layers and interventions', () => {
  const twoGroups = (extra: Partial<ModelSpec>): ModelSpec =>
    sirSpec({
      groups: ['kids', 'adults'],
      groupSizes: [500_000, 500_000],
      contact: [
        [6, 1],
        [1, 3],
      ],
      contactLayers: {
        home: [
          [1, 1],
          [1, 1],
        ],
        school: [
          [5, 0],
          [0, 2],
        ],
      },
      init: { S: [499_990, 500_000], I: [10, 0], R: [0, 0] },
      parameters: { beta: [0.1, 0.1], gamma: [0.1, 0.1] },
      ...extra,
    });

  it('sums the layers, each multiplied by the reduction factors in force (epydemix multiplies the layer)', () => {
    const model = compileModel(
      twoGroups({
        interventions: [
          { layer: 'school', startDay: DAY0 + 5, endDay: DAY0 + 9, reductionFactor: 0.2 },
          { layer: 'school', startDay: DAY0 + 8, endDay: DAY0 + 9, reductionFactor: 0.5 },
        ],
      }),
    );
    expect(Array.from(model.segmentContacts[0]!)).toEqual([6, 1, 1, 3]);
    expect(Array.from(model.segmentContacts[model.stepSegment![5]!]!)).toEqual([2, 1, 1, 1.4]);
    expect(Array.from(model.segmentContacts[model.stepSegment![9]!]!)).toEqual([1.5, 1, 1, 1.2]);
    expect(model.stepSegment![10]).toBe(0);
  });

  it('stops transmission while every layer is closed', () => {
    const spec = twoGroups({
      interventions: ['home', 'school'].map((layer) => ({
        layer,
        startDay: DAY0 + 3,
        endDay: DAY0 + 30,
        reductionFactor: 0,
      })),
    });
    const model = compileModel(spec);
    const buffers = allocateBuffers(model);
    simulate(model, new Rng(3), buffers);
    const S = (t: number) => buffers.compartments[t * 6]! + buffers.compartments[t * 6 + 1]!;
    expect(S(2)).toBeLessThan(1_000_000 - 10);
    expect(S(30)).toBe(S(2));
  });
});

describe('spec problems', () => {
  it('names each non-finite or negative value, and compileModel refuses to run with one', () => {
    const spec = sirSpec({
      transitions: [
        { type: 'mediated', source: 'S', target: 'I', rate: 'beta', mediator: 'I' },
        { type: 'spontaneous', source: 'I', target: 'R', rate: '1 / gamma' },
      ],
      overrides: [{ parameter: 'gamma', startDay: DAY0 + 3, endDay: DAY0 + 4, value: 0 }],
    });
    expect(specProblems(spec)).toEqual([
      {
        item: 'transition',
        index: 1,
        group: 0,
        day: DAY0 + 3,
        value: Infinity,
        expected: 'a finite rate >= 0',
      },
    ]);
    expect(() => compileModel(spec)).toThrow(SpecError);
    expect(() => compileModel(spec)).toThrow('transition 1 is Infinity in group 0 on day 19726');
    const negative = sirSpec({
      derived: [{ name: 'k', expression: '(0 - 1) ** 0.5' }],
      seasonality: { amplitude: 1.2, peakDay: DAY0, periodDays: 365 },
    });
    expect(specProblems(negative).map((p) => [p.item, p.value])).toEqual([
      ['derived', NaN],
      ['seasonality', 1.2],
    ]);
    expect(specProblems(sirSpec())).toEqual([]);
  });
});
