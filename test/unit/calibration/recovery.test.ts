import { describe, expect, it } from 'vitest';
import { quantiles } from '../../../lib/engine/quantiles.js';
import type { Posterior } from '../../../lib/calibration/posterior.js';
import { distanceFunction } from '../../../lib/calibration/distance.js';
import { fitSynthetic, syntheticData, TRUTH } from './synthetic.js';

/** Weighted sample -> equally weighted by repeating each particle in proportion to its weight (1,000 draws). */
function column(posterior: Posterior, k: number): number[] {
  const out: number[] = [];
  posterior.values.forEach((v, i) => {
    for (let r = 0; r < Math.round(posterior.weights[i]! * 1000); r++) out.push(v[k]!);
  });
  return out;
}

function summary(posterior: Posterior, k: number) {
  const [lo, median, hi] = quantiles(column(posterior, k), [0.05, 0.5, 0.95]);
  return { lo: lo!, median: median!, hi: hi! };
}

const smc = {
  type: 'smc',
  particles: 200,
  generations: 8,
  toleranceQuantile: 0.5,
  minTolerance: 0,
  kernel: 'mvn',
  maxSimulations: 40_000,
} as const;

describe('calibration recovers known parameters from synthetic data', async () => {
  const fits = {
    smc: await fitSynthetic(smc),
    rejection: await fitSynthetic({ type: 'rejection', simulations: 20_000, topFraction: 0.01 }),
  };

  for (const [name, fit] of Object.entries(fits)) {
    it(`${name}: the 90% credible interval covers the truth and the median is within 5%`, () => {
      ['beta', 'rho'].forEach((param, k) => {
        const s = summary(fit.posterior, k);
        const truth = TRUTH[param as keyof typeof TRUTH];
        expect(s.lo, `${param} 5%`).toBeLessThanOrEqual(truth);
        expect(s.hi, `${param} 95%`).toBeGreaterThanOrEqual(truth);
        expect(Math.abs(s.median / truth - 1), `${param} median ${s.median}`).toBeLessThan(0.05);
      });
    });
  }

  it('rejection and SMC agree: their posterior medians are within 5% of each other and their intervals overlap', () => {
    ['beta', 'rho'].forEach((_, k) => {
      const a = summary(fits.smc.posterior, k);
      const b = summary(fits.rejection.posterior, k);
      expect(Math.abs(a.median / b.median - 1)).toBeLessThan(0.05);
      expect(a.lo).toBeLessThan(b.hi);
      expect(b.lo).toBeLessThan(a.hi);
    });
  });
});

describe('ABC-SMC against ABC rejection', () => {
  it('SMC reaches its final tolerance with fewer simulations than rejection needs for the same number of particles', async () => {
    const fit = await fitSynthetic(smc, 10);
    const tolerance = fit.posterior.generations.at(-1)!.tolerance;
    const draws = 20_000;
    const rejection = await fitSynthetic(
      { type: 'rejection', simulations: draws, tolerance: Number.MAX_VALUE },
      10,
    );
    const within = Array.from(rejection.posterior.distances).filter((d) => d <= tolerance).length;
    // rejection's expected cost for 200 particles within the tolerance: 200 / acceptance rate
    const rejectionCost = within === 0 ? Infinity : (200 * draws) / within;
    expect(fit.posterior.simulations).toBeLessThan(rejectionCost);
  });
});

describe('projection', () => {
  it("repeats each particle's accepted fit on its first copy, then continues it", async () => {
    const { posterior, projection } = await fitSynthetic(
      { type: 'rejection', simulations: 2000, topFraction: 0.05 },
      300,
    );
    const data = syntheticData();
    const D = projection.dates.length;
    const bins = data.dates.map((date) => projection.dates.indexOf(date));
    const seen = new Set<number>();
    let firstCopies = 0;
    projection.picks.forEach((p, s) => {
      if (seen.has(p)) return;
      seen.add(p);
      firstCopies++;
      const fitted = bins.map((b) => projection.observed[s * D + b]!);
      expect(distanceFunction('rmse')(fitted, data.values)).toBeCloseTo(posterior.distances[p]!, 9);
    });
    expect(firstCopies).toBeGreaterThan(50);
    expect(D).toBeGreaterThan(bins.length); // the projection goes past the data
  });
});
