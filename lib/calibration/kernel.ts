import type { Rng } from '../engine/rng.js';
import { standardNormal } from './priors.js';

/** Perturbation kernels of ABC-SMC. */
export type KernelName = 'gaussian' | 'mvn';

/**
 * A Gaussian perturbation kernel fitted to the previous generation (on the
 * working scale): covariance twice the weighted covariance of the particles
 * (Beaumont et al. 2009; Filippi et al. 2013 for the multivariate form), or
 * only its diagonal for `gaussian`. `logDensity` omits the normalising
 * constant, which is the same for every centre and cancels in the weights.
 */
export class PerturbationKernel {
  /** Lower-triangular Cholesky factor of the covariance, row-major d x d. */
  private readonly chol: Float64Array;

  constructor(particles: readonly Float64Array[], weights: ArrayLike<number>, kind: KernelName) {
    const d = particles[0]!.length;
    const mean = new Float64Array(d);
    particles.forEach((p, i) => p.forEach((v, k) => (mean[k]! += weights[i]! * v)));
    const cov = new Float64Array(d * d);
    particles.forEach((p, i) => {
      for (let a = 0; a < d; a++)
        for (let b = 0; b <= a; b++)
          cov[a * d + b]! += 2 * weights[i]! * (p[a]! - mean[a]!) * (p[b]! - mean[b]!);
    });
    for (let a = 0; a < d; a++)
      for (let b = 0; b < a; b++) cov[a * d + b] = kind === 'mvn' ? cov[a * d + b]! : 0;
    this.chol = cholesky(cov, d);
  }

  /** A perturbed copy of `centre`. */
  perturb(centre: Float64Array, rng: Rng): Float64Array {
    const d = centre.length;
    const z = Float64Array.from({ length: d }, () => standardNormal(rng));
    const out = Float64Array.from(centre);
    for (let a = 0; a < d; a++)
      for (let b = 0; b <= a; b++) out[a]! += this.chol[a * d + b]! * z[b]!;
    return out;
  }

  /** Log kernel density of `x` around `centre`, up to a constant. */
  logDensity(x: Float64Array, centre: Float64Array): number {
    const d = x.length;
    const z = new Float64Array(d);
    let sum = 0;
    for (let a = 0; a < d; a++) {
      let v = x[a]! - centre[a]!;
      for (let b = 0; b < a; b++) v -= this.chol[a * d + b]! * z[b]!;
      z[a] = v / this.chol[a * d + a]!;
      sum += z[a]! * z[a]!;
    }
    return -0.5 * sum;
  }
}

/** Cholesky factor of a symmetric matrix given by its lower triangle; a tiny ridge keeps degenerate populations usable. */
function cholesky(lower: Float64Array, d: number): Float64Array {
  let scale = 0;
  for (let a = 0; a < d; a++) scale = Math.max(scale, lower[a * d + a]!);
  const ridge = Math.max(scale, 1e-12) * 1e-9;
  const L = new Float64Array(d * d);
  for (let a = 0; a < d; a++) {
    for (let b = 0; b <= a; b++) {
      let sum = lower[a * d + b]! + (a === b ? ridge : 0);
      for (let k = 0; k < b; k++) sum -= L[a * d + k]! * L[b * d + k]!;
      L[a * d + b] = a === b ? Math.sqrt(Math.max(sum, ridge)) : sum / L[b * d + b]!;
    }
  }
  return L;
}
