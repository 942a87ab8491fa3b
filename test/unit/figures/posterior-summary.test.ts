import { describe, expect, it } from 'vitest';
import {
  cappedPosteriors,
  MAX_PARTICLES_PER_LOCATION,
  normalizedWeights,
  posteriorSummary,
  weightedQuantile,
} from '../../../lib/figures/posterior-summary.js';

const sorted = (values: number[], weights: number[]) =>
  values.map((value, i) => ({ value, weight: weights[i]! }));

describe('normalizedWeights', () => {
  it('scales weights to sum to 1, counting negative and NaN weights as 0', () => {
    expect(normalizedWeights([1, 3])).toEqual([0.25, 0.75]);
    expect(normalizedWeights([Number.NaN, 2, -1, 2])).toEqual([0, 0.5, 0, 0.5]);
  });

  it('weighs every value the same when the total is 0 or not a number', () => {
    expect(normalizedWeights([0, 0, 0, 0])).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(normalizedWeights([Number.NaN, Number.NaN])).toEqual([0.5, 0.5]);
  });
});

describe('weightedQuantile', () => {
  it('is the first sorted value whose cumulative weight reaches the level', () => {
    const s = sorted([1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4]);
    expect(
      [0.025, 0.1, 0.3, 0.31, 0.5, 0.6, 0.61, 0.975].map((l) => weightedQuantile(s, l)),
    ).toEqual([1, 1, 2, 3, 3, 3, 4, 4]);
  });

  it('takes the lower middle value as the median of an even count of equal weights', () => {
    expect(weightedQuantile(sorted([1, 2, 3, 4], [0.25, 0.25, 0.25, 0.25]), 0.5)).toBe(2);
  });

  it('reaches a level that the summed weights miss by rounding', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    // ten weights of 1/20 sum to 0.49999999999999994, short of 0.5
    expect(weightedQuantile(sorted(values, normalizedWeights(values.map(() => 1))), 0.5)).toBe(10);
    expect(weightedQuantile([], 0.5)).toBeNaN();
  });
});

describe('posteriorSummary', () => {
  it('gives the weighted mean, median and 95% interval of each parameter of a task', () => {
    const rows = posteriorSummary([
      {
        population: 'CA',
        names: ['R0', 'init.I'],
        values: [
          [1, 40],
          [2, 30],
          [3, 20],
          [4, 10],
        ],
        weights: [1, 1, 1, 5],
      },
    ]);
    expect(rows).toEqual([
      { population: 'CA', parameter: 'R0', mean: 3.25, median: 4, q025: 1, q975: 4, particles: 4 },
      {
        population: 'CA',
        parameter: 'init.I',
        mean: 17.5,
        median: 10,
        q025: 10,
        q975: 40,
        particles: 4,
      },
    ]);
  });

  it('pools the tasks of a population, each task counting equally whatever its size', () => {
    const [row] = posteriorSummary([
      { population: 'NY', names: ['R0'], values: [[10]], weights: [5] },
      { population: 'NY', names: ['R0'], values: [[0], [0], [0]], weights: [1, 1, 1] },
    ]);
    // task 1's particle weighs 1/2, task 2's three 1/6 each (raw weights would give a mean of 6.25)
    expect(row).toMatchObject({ median: 0, q025: 0, q975: 10, particles: 4 });
    expect(row!.mean).toBeCloseTo(5, 12);
  });

  it('treats a task whose weights sum to 0 or NaN as equally weighted', () => {
    const [zero, nan] = posteriorSummary([
      { population: 'TX', names: ['R0'], values: [[1], [2], [6]], weights: [0, 0, 0] },
      { population: 'FL', names: ['R0'], values: [[1], [3]], weights: [Number.NaN, Number.NaN] },
    ]);
    expect(zero).toMatchObject({ population: 'TX', mean: 3, median: 2 });
    expect(nan).toMatchObject({ population: 'FL', mean: 2, median: 1 });
  });

  it('keeps populations in first-seen order and leaves out particles with a non-finite value', () => {
    const rows = posteriorSummary([
      // the NaN particle goes, its task's weight stays with the task (mean 2, not 7/3)
      { population: 'WA', names: ['R0'], values: [[1], [Number.NaN]], weights: [1, 1] },
      { population: 'AK', names: ['R0'], values: [[2]], weights: [1] },
      { population: 'WA', names: ['R0'], values: [[3]], weights: [1] },
    ]);
    expect(rows.map((r) => [r.population, r.particles, r.mean])).toEqual([
      ['WA', 2, 2],
      ['AK', 1, 2],
    ]);
  });
});

describe('cappedPosteriors', () => {
  it('keeps the heaviest particles of a location, their weights summing to 1', () => {
    const n = MAX_PARTICLES_PER_LOCATION + 500;
    const [posterior] = cappedPosteriors([
      {
        population: 'TX',
        names: ['R0'],
        values: Array.from({ length: n }, (_, i) => [i]),
        weights: Array.from({ length: n }, (_, i) => i + 1),
      },
    ]);
    const kept = posterior!.particles.map((p) => p.values.get('R0')!);
    expect(kept).toHaveLength(MAX_PARTICLES_PER_LOCATION);
    expect(Math.min(...kept)).toBe(500);
    expect(posterior!.particles.reduce((s, p) => s + p.weight, 0)).toBeCloseTo(1, 12);
  });
});
