import { describe, expect, it } from 'vitest';
import { Rng } from '../../../lib/engine/rng.js';
import { apportion, cartesianProduct, latinHypercube } from '../../../lib/engine/sampling.js';

describe('sampling designs', () => {
  it('puts exactly one Latin hypercube point in each stratum of every dimension', () => {
    const n = 50;
    const dims = latinHypercube(n, 3, new Rng(4));
    expect(dims).toHaveLength(3);
    for (const values of dims) {
      const strata = Array.from(values, (v) => Math.floor(v * n)).sort((a, b) => a - b);
      expect(strata).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    // dimensions are paired by independent permutations, not in lockstep
    expect(Array.from(dims[0]!, (v) => Math.floor(v * n))).not.toEqual(
      Array.from(dims[1]!, (v) => Math.floor(v * n)),
    );
  });

  it('is reproducible from its seed', () => {
    expect(latinHypercube(10, 2, new Rng(8))).toEqual(latinHypercube(10, 2, new Rng(8)));
    expect(latinHypercube(10, 2, new Rng(8))).not.toEqual(latinHypercube(10, 2, new Rng(9)));
  });

  it('builds the Cartesian product with the last list varying fastest', () => {
    expect(
      cartesianProduct<number | string>([
        [1, 2],
        ['a', 'b', 'c'],
      ]),
    ).toEqual([
      [1, 'a'],
      [1, 'b'],
      [1, 'c'],
      [2, 'a'],
      [2, 'b'],
      [2, 'c'],
    ]);
    expect(cartesianProduct([])).toEqual([[]]);
  });

  it('apportions a total exactly by largest remainder', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(7136171, [0.057, 0.163, 0.42, 0.187, 0.173]).reduce((a, b) => a + b)).toBe(
      7136171,
    );
    expect(apportion(5, [0, 0])).toEqual([5, 0]);
  });
});
