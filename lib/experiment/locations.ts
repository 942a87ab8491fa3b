/**
 * The 53 FluSight locations (US, 50 states, DC, PR): ISO 3166-2 code, FIPS,
 * abbreviation, name and population (Census vintage 2024). Embedded as a
 * module so the bundled stage needs no data file at run time. Source:
 * cdcepi/FluSight-forecast-hub auxiliary-data/locations.csv (MIT), joined
 * with ISO codes.
 */
const ROWS: readonly (readonly [string, string, string, string, number])[] = [
  ['US', 'US', 'US', 'US', 340110988],
  ['US-AL', '01', 'AL', 'Alabama', 5157699],
  ['US-AK', '02', 'AK', 'Alaska', 740133],
  ['US-AZ', '04', 'AZ', 'Arizona', 7582384],
  ['US-AR', '05', 'AR', 'Arkansas', 3088354],
  ['US-CA', '06', 'CA', 'California', 39431263],
  ['US-CO', '08', 'CO', 'Colorado', 5957493],
  ['US-CT', '09', 'CT', 'Connecticut', 3675069],
  ['US-DE', '10', 'DE', 'Delaware', 1051917],
  ['US-DC', '11', 'DC', 'District of Columbia', 702250],
  ['US-FL', '12', 'FL', 'Florida', 23372215],
  ['US-GA', '13', 'GA', 'Georgia', 11180878],
  ['US-HI', '15', 'HI', 'Hawaii', 1446146],
  ['US-ID', '16', 'ID', 'Idaho', 2001619],
  ['US-IL', '17', 'IL', 'Illinois', 12710158],
  ['US-IN', '18', 'IN', 'Indiana', 6924275],
  ['US-IA', '19', 'IA', 'Iowa', 3241488],
  ['US-KS', '20', 'KS', 'Kansas', 2970606],
  ['US-KY', '21', 'KY', 'Kentucky', 4588372],
  ['US-LA', '22', 'LA', 'Louisiana', 4597740],
  ['US-ME', '23', 'ME', 'Maine', 1405012],
  ['US-MD', '24', 'MD', 'Maryland', 6263220],
  ['US-MA', '25', 'MA', 'Massachusetts', 7136171],
  ['US-MI', '26', 'MI', 'Michigan', 10140459],
  ['US-MN', '27', 'MN', 'Minnesota', 5793151],
  ['US-MS', '28', 'MS', 'Mississippi', 2943045],
  ['US-MO', '29', 'MO', 'Missouri', 6245466],
  ['US-MT', '30', 'MT', 'Montana', 1137233],
  ['US-NE', '31', 'NE', 'Nebraska', 2005465],
  ['US-NV', '32', 'NV', 'Nevada', 3267467],
  ['US-NH', '33', 'NH', 'New Hampshire', 1409032],
  ['US-NJ', '34', 'NJ', 'New Jersey', 9500851],
  ['US-NM', '35', 'NM', 'New Mexico', 2130256],
  ['US-NY', '36', 'NY', 'New York', 19867248],
  ['US-NC', '37', 'NC', 'North Carolina', 11046024],
  ['US-ND', '38', 'ND', 'North Dakota', 796568],
  ['US-OH', '39', 'OH', 'Ohio', 11883304],
  ['US-OK', '40', 'OK', 'Oklahoma', 4095393],
  ['US-OR', '41', 'OR', 'Oregon', 4272371],
  ['US-PA', '42', 'PA', 'Pennsylvania', 13078751],
  ['US-RI', '44', 'RI', 'Rhode Island', 1112308],
  ['US-SC', '45', 'SC', 'South Carolina', 5478831],
  ['US-SD', '46', 'SD', 'South Dakota', 924669],
  ['US-TN', '47', 'TN', 'Tennessee', 7227750],
  ['US-TX', '48', 'TX', 'Texas', 31290831],
  ['US-UT', '49', 'UT', 'Utah', 3503613],
  ['US-VT', '50', 'VT', 'Vermont', 648493],
  ['US-VA', '51', 'VA', 'Virginia', 8811195],
  ['US-WA', '53', 'WA', 'Washington', 7958180],
  ['US-WV', '54', 'WV', 'West Virginia', 1769979],
  ['US-WI', '55', 'WI', 'Wisconsin', 5960975],
  ['US-WY', '56', 'WY', 'Wyoming', 587618],
  ['US-PR', '72', 'PR', 'Puerto Rico', 3203295],
];

/** One location of the population table. */
export interface Location {
  /** ISO 3166-2 code, e.g. `US-MA`; `US` for the nation. */
  readonly code: string;
  /** FIPS code as the forecast hub writes it (`25`), or `US`. */
  readonly fips: string;
  readonly abbreviation: string;
  readonly name: string;
  readonly population: number;
}

/** Every location, in table order (US first). */
export const LOCATIONS: readonly Location[] = ROWS.map(
  ([code, fips, abbreviation, name, population]) => ({
    code,
    fips,
    abbreviation,
    name,
    population,
  }),
);

const BY_CODE = new Map(LOCATIONS.flatMap((l) => [[l.code, l] as const, [l.fips, l] as const]));

/** The location with an ISO code (`US`, `US-MA`) or a FIPS code (`25`, `US`); undefined when unknown. */
export function findLocation(code: string): Location | undefined {
  return BY_CODE.get(code);
}

/** The basemodel's `population`: a location name and an optional size. */
export interface PopulationConfig {
  readonly name: string;
  readonly size?: number | undefined;
}

/**
 * The population a run simulates for a location code: the known location
 * (its size replaced by `population.size` when it is the basemodel's own), or
 * the basemodel's custom population (`name` not a known location, `size`
 * given: code and name are the name). Undefined when neither.
 */
export function runLocation(population: PopulationConfig, code: string): Location | undefined {
  const known = findLocation(code);
  const own =
    code === population.name || (known !== undefined && known === findLocation(population.name));
  if (!own || population.size === undefined) return known;
  return known
    ? { ...known, population: population.size }
    : { code, fips: '', abbreviation: '', name: code, population: population.size };
}
