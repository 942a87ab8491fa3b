/** Distances between a simulated and an observed series. */
export const DISTANCES = ['rmse', 'poisson_deviance', 'mae'] as const;
/** A distance name. */
export type DistanceName = (typeof DISTANCES)[number];

/** Root mean squared error. */
function rmse(sim: ArrayLike<number>, obs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < obs.length; i++) sum += (sim[i]! - obs[i]!) ** 2;
  return Math.sqrt(sum / obs.length);
}

/** Mean absolute error. */
function mae(sim: ArrayLike<number>, obs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < obs.length; i++) sum += Math.abs(sim[i]! - obs[i]!);
  return sum / obs.length;
}

/**
 * Mean Poisson deviance 2 * (y log(y / mu) - (y - mu)) of observations y
 * against simulated means mu (mu floored at 0.5 so a zero simulation against a
 * positive count stays finite); it weighs errors relative to the count's scale.
 */
function poissonDeviance(sim: ArrayLike<number>, obs: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < obs.length; i++) {
    const y = obs[i]!;
    const mu = Math.max(sim[i]!, 0.5);
    sum += 2 * ((y > 0 ? y * Math.log(y / mu) : 0) - (y - mu));
  }
  return sum / obs.length;
}

/** The distance function for a name. */
export function distanceFunction(
  name: DistanceName,
): (sim: ArrayLike<number>, obs: ArrayLike<number>) => number {
  return { rmse, mae, poisson_deviance: poissonDeviance }[name];
}
