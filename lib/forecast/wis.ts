/** A quantile forecast: values at increasing levels in (0, 1). */
export interface QuantileForecast {
  readonly levels: readonly number[];
  readonly values: readonly number[];
}

/**
 * Pinball (quantile) loss of the quantile `value` at `level` for the
 * observation `y`: level * (y - value) when y >= value, else (1 - level) * (value - y).
 */
export function pinballLoss(level: number, value: number, y: number): number {
  return y >= value ? level * (y - value) : (1 - level) * (value - y);
}

/**
 * Weighted interval score (Bracher et al. 2021) of a quantile forecast against
 * the observation `y`, as scoringutils `wis()` computes it by default (the
 * hubverse's hubEvals scores quantile forecasts with it): with K central
 * intervals from symmetric level pairs plus the median,
 * WIS = (0.5 |y - median| + sum_k alpha_k / 2 * IS_alpha_k) / (K + 0.5)
 * (`count_median_twice = FALSE`). Each interval's alpha/2 * IS equals the sum
 * of the pinball losses at its two ends, and the median's 0.5 |y - m| its
 * pinball loss, so WIS = sum of pinball losses / (K + 0.5) = 2 * mean
 * pinball loss over the levels; that form is computed here. For the 23
 * FluSight levels (11 intervals + median) the divisor is 11.5.
 */
export function wis(forecast: QuantileForecast, y: number): number {
  const { levels, values } = forecast;
  if (levels.length === 0 || levels.length !== values.length) {
    throw new RangeError(
      `A quantile forecast needs as many values as levels (at least one), got ${values.length} and ${levels.length}`,
    );
  }
  let total = 0;
  for (let i = 0; i < levels.length; i++) total += pinballLoss(levels[i]!, values[i]!, y);
  return (2 * total) / levels.length;
}
