import { z } from 'zod';

/** A compartment or parameter name: letters, digits, `_`, not starting with a digit. */
export const identifier = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a name of letters, digits and "_" that does not start with a digit');
