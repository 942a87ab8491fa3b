import { EpycloudError } from '../../lib/errors.js';

/**
 * Runs a lambda's work; an epycloud error leaves as an Error named
 * `Epycloud.<code>` (the Step Functions error name) with the same message,
 * anything else unchanged (Lambda reports its name and message).
 */
export async function reportErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof EpycloudError)) throw error;
    const reported = new Error(error.message);
    reported.name = `Epycloud.${error.code}`;
    throw reported;
  }
}
