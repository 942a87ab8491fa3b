import type { Backend } from '../../lib/backend/types.js';
import { ConfigError } from '../../lib/errors.js';

/**
 * The cloud back end until it is configured: every call says so and how to
 * run locally instead.
 */
export function unconfiguredCloudBackend(): Backend {
  const fail = (): never => {
    throw new ConfigError(
      'The cloud back end is not configured yet: deploy the stacks and configure the cloud CLI first, ' +
        'or run on this machine with --local (e.g. epycloud run workflow --local --exp-id <id>)',
    );
  };
  return {
    name: 'cloud',
    runWorkflow: async () => fail(),
    runJob: async () => fail(),
    listExperiments: async () => fail(),
    logs: async () => fail(),
    status: async () => fail(),
  };
}
