import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const EXAMPLE = join(
  import.meta.dirname,
  '../../../local/forecast/experiments/examples/flusight-forecast',
);

/** Rows of the example's target data for a few locations, from 2024-10 to 2025-02. */
function targetData(fips: readonly string[]): string {
  const [header, ...rows] = readFileSync(
    join(EXAMPLE, 'data/target-hospital-admissions.csv'),
    'utf8',
  )
    .trim()
    .split('\n');
  const keep = rows.filter((r) => {
    const [date, location] = r.split(',');
    return (
      fips.includes(location!.replace(/"/g, '')) && date! >= '2024-10-01' && date! <= '2025-02-15'
    );
  });
  return [header, ...keep].join('\n') + '\n';
}

/**
 * The shipped forecast example on two locations (Massachusetts, Wyoming) with
 * a small ABC-SMC budget: a whole forecast in about a second.
 */
export function forecastExperiment(): Record<string, string> {
  const modelset = readFileSync(join(EXAMPLE, 'config/modelset.yaml'), 'utf8')
    .replace(/population_names: .*/, 'population_names: [US-MA, US-WY]')
    .replace(/particles: \d+/, 'particles: 60')
    .replace(/generations: \d+/, 'generations: 3')
    .replace(/samples: \d+/, 'samples: 100');
  return {
    'config/model.yaml': readFileSync(join(EXAMPLE, 'config/model.yaml'), 'utf8'),
    'config/modelset.yaml': modelset,
    'config/output.yaml': readFileSync(join(EXAMPLE, 'config/output.yaml'), 'utf8'),
    'data/target-hospital-admissions.csv': targetData(['25', '56']),
  };
}
