import { describe, expect, it } from 'vitest';
import { runEnsemble } from '../../../lib/engine/ensemble.js';
import { compileModel } from '../../../lib/engine/model.js';
import { Rng } from '../../../lib/engine/rng.js';
import { allocateBuffers, simulate } from '../../../lib/engine/simulate.js';
import { SpecError } from '../../../lib/engine/spec-problems.js';
import { ageSeirSpec, sirSpec } from '../../../lib/engine/reference-models.js';

/** RK4 solution of the SIR ODE, S/I/R as fractions, sampled at integer days. */
function sirOde(
  beta: number,
  gamma: number,
  i0: number,
  days: number,
): { s: number[]; i: number[] } {
  const h = 0.01;
  let [s, i] = [1 - i0, i0];
  const out = { s: [s], i: [i] };
  const f = (S: number, I: number): [number, number] => [-beta * S * I, beta * S * I - gamma * I];
  for (let d = 0; d < days; d++) {
    for (let k = 0; k < 1 / h; k++) {
      const k1 = f(s, i);
      const k2 = f(s + (h / 2) * k1[0], i + (h / 2) * k1[1]);
      const k3 = f(s + (h / 2) * k2[0], i + (h / 2) * k2[1]);
      const k4 = f(s + h * k3[0], i + h * k3[1]);
      s += (h / 6) * (k1[0] + 2 * k2[0] + 2 * k3[0] + k4[0]);
      i += (h / 6) * (k1[1] + 2 * k2[1] + 2 * k3[1] + k4[1]);
    }
    out.s.push(s);
    out.i.push(i);
  }
  return out;
}

describe('chain-binomial engine', () => {
  it('conserves every group exactly, never goes negative, and records what moved', () => {
    const spec = ageSeirSpec();
    const model = compileModel(spec);
    const buffers = allocateBuffers(model);
    simulate(model, new Rng(1, 2), buffers);
    const [C, G, P] = [4, 5, model.pairNames.length];
    expect(model.pairNames).toEqual(['S_to_E', 'E_to_I', 'I_to_R']); // two I->R transitions add up
    let state = Array.from(model.init);
    for (let t = 0; t < spec.steps; t++) {
      const row = Array.from(buffers.compartments.subarray(t * C * G, (t + 1) * C * G));
      for (let g = 0; g < G; g++)
        expect([0, 1, 2, 3].reduce((a, c) => a + row[c * G + g]!, 0)).toBe(spec.groupSizes[g]);
      expect(row.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
      const flow = (p: number, g: number) => buffers.transitions[t * P * G + p * G + g]!;
      for (let g = 0; g < G; g++) expect(row[0 * G + g]).toBe(state[0 * G + g]! - flow(0, g));
      for (let g = 0; g < G; g++) expect(row[3 * G + g]).toBe(state[3 * G + g]! + flow(2, g));
      state = row;
    }
    expect(state[3 * G + 0]! + state[3 * G + 4]!).toBeGreaterThan(0); // the epidemic reached other groups
  });

  it('gives the same numbers for the same seed whatever ran before', () => {
    const spec = sirSpec({ steps: 60 });
    const all = runEnsemble(spec, { nSims: 4, resample: 'daily', seedKeys: [7, 3] });
    const again = runEnsemble(spec, { nSims: 4, resample: 'daily', seedKeys: [7, 3] });
    expect(Array.from(again.compartments.I!)).toEqual(Array.from(all.compartments.I!));
    // simulation 3 alone, on a fresh model, equals simulation 3 of the ensemble
    const model = compileModel(spec);
    const buffers = allocateBuffers(model);
    simulate(model, new Rng(7, 3, 3), buffers);
    const lone = Array.from({ length: 60 }, (_, t) => buffers.compartments[t * 3 + 1]);
    expect(lone).toEqual(Array.from(all.compartments.I!.subarray(3 * 60, 4 * 60)));
    const other = runEnsemble(spec, { nSims: 1, resample: 'daily', seedKeys: [7, 4] });
    expect(Array.from(other.compartments.I!)).not.toEqual(
      Array.from(all.compartments.I!.subarray(0, 60)),
    );
  });

  it('follows the ODE in the large-population, small-step limit', () => {
    const n = 1e9;
    const days = 120;
    const dt = 0.02;
    const spec = sirSpec({ dt, steps: days / dt + 1 }, n, 1e5);
    const { compartments } = runEnsemble(spec, { nSims: 1, resample: 'daily', seedKeys: [11] });
    const ode = sirOde(0.3, 0.1, 1e-4, days);
    const peak = Math.max(...ode.i);
    for (let d = 0; d < days; d++) {
      // the row of day d is the state after its last step, i.e. at time d + 1
      expect(Math.abs(compartments.I![d]! / n - ode.i[d + 1]!)).toBeLessThan(0.01 * peak);
      expect(Math.abs(compartments.S![d]! / n - ode.s[d + 1]!)).toBeLessThan(0.01);
    }
  });

  it('reaches the final size z = 1 - exp(-R0 z) of the SIR model', () => {
    const n = 1e8;
    const spec = sirSpec(
      { dt: 0.1, steps: 4000, parameters: { beta: [0.25], gamma: [0.1] } },
      n,
      100,
    );
    const { compartments } = runEnsemble(spec, { nSims: 3, resample: 'none', seedKeys: [5] });
    let z = 0.5;
    for (let k = 0; k < 200; k++) z = 1 - Math.exp(-2.5 * z); // fixed point, R0 = 2.5
    for (let sim = 0; sim < 3; sim++) {
      const finalR = compartments.R![(sim + 1) * 4000 - 1]! / n;
      expect(Math.abs(finalR - z) / z).toBeLessThan(0.002);
    }
  });

  it('stops with a SpecError naming the compartment and day when rates overflow, instead of looping on a NaN probability', () => {
    // Two finite rates of 1e308 out of S: their forces of infection add up to Infinity, and Infinity / Infinity
    // used to reach the binomial sampler as a NaN probability.
    const spec = sirSpec({
      compartments: ['S', 'I', 'R'],
      init: { S: [500_000], I: [500_000], R: [0] },
      parameters: { beta: [1e308], gamma: [0.1] },
      transitions: [
        { type: 'mediated', source: 'S', target: 'I', rate: 'beta', mediator: 'I' },
        { type: 'mediated', source: 'S', target: 'R', rate: 'beta', mediator: 'I' },
        { type: 'spontaneous', source: 'I', target: 'R', rate: 'gamma' },
      ],
      contact: [[10]],
    });
    const model = compileModel(spec);
    const error = (() => {
      try {
        simulate(model, new Rng(1), allocateBuffers(model));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SpecError);
    expect((error as SpecError).exitCode).toBe(2);
    expect((error as SpecError).problems).toEqual([
      expect.objectContaining({
        item: 'transition',
        index: 0,
        group: 0,
        day: spec.startDay,
        value: Infinity,
      }),
    ]);
    expect((error as Error).message).toMatch(/expected a finite total rate out of S/);
  });
});
