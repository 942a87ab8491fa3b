import type { TopLevelSpec } from 'vega-lite';

/** One figure of an output folder: written as `figures/<name>.svg` and `.png`. */
export interface Figure {
  /** File stem: letters, digits, `_` and `-` only. */
  readonly name: string;
  /** The caption the report shows. */
  readonly title: string;
  /** The Vega-Lite spec, data inline. */
  readonly spec: TopLevelSpec;
}

/** The Vega-Lite schema every spec names. */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** A file stem from free text: `fan_compartments_I`, never a path. */
export function figureStem(...parts: readonly string[]): string {
  return parts
    .map((p) => p.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, ''))
    .filter((p) => p.length > 0)
    .join('_');
}
