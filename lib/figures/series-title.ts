/** The y axis title of a model series, with its unit: people in a compartment, or new people per output period. */
export function seriesAxisTitle(
  kind: 'compartments' | 'transitions',
  name: string,
  resample: 'none' | 'daily' | 'weekly',
): string {
  if (kind === 'compartments') return `${name} (people)`;
  const per = resample === 'weekly' ? 'week' : resample === 'daily' ? 'day' : 'step';
  return `${name} (new per ${per})`;
}
