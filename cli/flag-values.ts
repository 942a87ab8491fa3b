import { z } from 'zod';

/** A whole number flag value, at least `min` (commander hands strings). */
export const intOption = (min: number, what: string) =>
  z
    .string()
    .regex(/^\d+$/, `expected ${what}`)
    .transform(Number)
    .refine((n) => Number.isSafeInteger(n) && n >= min, `expected ${what}`);

/** A positive number flag value (vCPUs: `0.5`, `2`). */
export const positive = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'expected a positive number')
  .transform(Number)
  .refine((n) => n > 0, 'expected a positive number');
