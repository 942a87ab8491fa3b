import { z } from 'zod';
import { sha256Schema } from './manifest.js';

/**
 * What Stage B records about result i after writing it, in the `result` field
 * of its summary `summaries/runner_i.json`: the sha256 and size of the
 * result's bytes as stored through `Storage` (after gunzip for a `.gz` key),
 * whatever the result's format, and the input hash it was computed from.
 */
const resultChecksumSchema = z.object({
  key: z.string(),
  inputSha256: sha256Schema,
  sha256: sha256Schema,
  bytes: z.number().int().nonnegative(),
});

/** A result's recorded checksum. */
export type ResultChecksum = z.infer<typeof resultChecksumSchema>;

/** The part of a runner summary the result checks read; its other fields are free. */
export const runnerRecordSchema = z.object({ result: resultChecksumSchema });
