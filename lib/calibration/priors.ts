import type { Rng } from '../engine/rng.js';

/** The prior families a calibration accepts. */
export const PRIOR_TYPES = ['uniform', 'normal', 'truncated_normal', 'log_uniform'] as const;

/** A prior over one calibrated quantity (a parameter or an initial proportion). */
export type Prior =
  | { readonly type: 'uniform'; readonly low: number; readonly high: number }
  | { readonly type: 'normal'; readonly mean: number; readonly sd: number }
  | {
      readonly type: 'truncated_normal';
      readonly mean: number;
      readonly sd: number;
      readonly low: number;
      readonly high: number;
    }
  | { readonly type: 'log_uniform'; readonly low: number; readonly high: number };

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** A standard normal variate (Box-Muller, one of the pair). */
export function standardNormal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(rng.uniformPositive())) * Math.cos(2 * Math.PI * rng.uniform());
}

/** Standard normal cdf (Zelen and Severo 26.2.17 via erfc; absolute error < 1.5e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(z));
  const poly =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  const erfc = z >= 0 ? poly : 2 - poly;
  return 1 - 0.5 * erfc;
}

/** A draw from the prior. Truncated normals are drawn by rejection, falling back to uniform on a far tail. */
export function samplePrior(prior: Prior, rng: Rng): number {
  switch (prior.type) {
    case 'uniform':
      return prior.low + rng.uniform() * (prior.high - prior.low);
    case 'log_uniform':
      return Math.exp(
        Math.log(prior.low) + rng.uniform() * (Math.log(prior.high) - Math.log(prior.low)),
      );
    case 'normal':
      return prior.mean + prior.sd * standardNormal(rng);
    case 'truncated_normal':
      for (let i = 0; i < 1000; i++) {
        const x = prior.mean + prior.sd * standardNormal(rng);
        if (x >= prior.low && x <= prior.high) return x;
      }
      return prior.low + rng.uniform() * (prior.high - prior.low);
  }
}

/** Log density of the prior at x; `-Infinity` outside its support. */
export function priorLogDensity(prior: Prior, x: number): number {
  switch (prior.type) {
    case 'uniform':
      return x >= prior.low && x <= prior.high ? -Math.log(prior.high - prior.low) : -Infinity;
    case 'log_uniform':
      return x >= prior.low && x <= prior.high
        ? -Math.log(x) - Math.log(Math.log(prior.high / prior.low))
        : -Infinity;
    case 'normal': {
      const z = (x - prior.mean) / prior.sd;
      return -0.5 * z * z - LOG_SQRT_2PI - Math.log(prior.sd);
    }
    case 'truncated_normal': {
      if (x < prior.low || x > prior.high) return -Infinity;
      const z = (x - prior.mean) / prior.sd;
      const mass =
        normalCdf((prior.high - prior.mean) / prior.sd) -
        normalCdf((prior.low - prior.mean) / prior.sd);
      return -0.5 * z * z - LOG_SQRT_2PI - Math.log(prior.sd) - Math.log(Math.max(mass, 1e-300));
    }
  }
}

/** A central value of the prior (the median; the geometric mean for log-uniform), used where one value is needed before fitting. */
export function priorCentre(prior: Prior): number {
  switch (prior.type) {
    case 'uniform':
      return (prior.low + prior.high) / 2;
    case 'log_uniform':
      return Math.sqrt(prior.low * prior.high);
    case 'normal':
      return prior.mean;
    case 'truncated_normal':
      return Math.min(prior.high, Math.max(prior.low, prior.mean));
  }
}
