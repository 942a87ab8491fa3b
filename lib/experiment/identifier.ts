import { z } from 'zod';

/**
 * Names every plain JavaScript object already has (`__proto__`, `constructor`,
 * `toString`, ...) and `prototype`: as keys of the records built from a
 * config they would be dropped or would reach inherited values, so they are
 * refused as ids.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...Object.getOwnPropertyNames(Object.prototype),
  'prototype',
]);

/** A compartment or parameter name: letters, digits, `_`, not starting with a digit, not a {@link RESERVED_NAMES reserved name}. */
export const identifier = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'expected a name of letters, digits and "_" that does not start with a digit',
  )
  .refine((name) => !RESERVED_NAMES.has(name), {
    error: (issue) =>
      `"${String(issue.input)}" is reserved (a name every JavaScript object has): choose another name`,
  });
