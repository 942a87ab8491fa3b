import { ConfigError } from '../errors.js';
import { environmentSchema, type DeploymentConfig } from './schema.js';

/** CDK context keys the app reads (cdk.json `context`, or `-c key=value`). */
const CONTEXT_KEYS = {
  /** Which environment to synthesize: `-c epycloud:env=prod`. */
  env: 'epycloud:env',
  /** Per-environment settings, merged over the built-in defaults. */
  environments: 'epycloud:environments',
} as const;

/** Default environment name. */
const DEFAULT_ENV = 'dev';

/** Built-in defaults per environment; any other name must be declared in `epycloud:environments`. */
const BUILTIN_ENVIRONMENTS: Readonly<Record<string, Record<string, unknown>>> = {
  dev: { stackPrefix: 'Epycloud-dev', removalPolicy: 'destroy', logRetentionDays: 30 },
  prod: { stackPrefix: 'Epycloud-prod', removalPolicy: 'retain', logRetentionDays: 365 },
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Deep-merges plain objects; arrays and scalars of `over` replace those of `base`. */
export function mergeConfig(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? mergeConfig(current, value) : value;
  }
  return out;
}

/** `-c key=value` passes text: a value that looks like JSON is parsed; bad JSON is an error naming the key. */
function fromJsonText(value: unknown): unknown {
  if (typeof value !== 'string' || !value.trim().startsWith('{')) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new ConfigError(
      `Invalid CDK context ${CONTEXT_KEYS.environments}: not valid JSON (${(error as Error).message})`,
    );
  }
}

/**
 * Reads and validates the deployment config from CDK context. Every problem
 * is reported at once, each naming the context key and path, e.g.
 * `epycloud:environments.prod.stages.runner.memoryMiB: ...`.
 */
export function loadDeploymentConfig(tryGetContext: (key: string) => unknown): DeploymentConfig {
  const envValue = tryGetContext(CONTEXT_KEYS.env) ?? DEFAULT_ENV;
  const environments = fromJsonText(tryGetContext(CONTEXT_KEYS.environments) ?? {});
  if (typeof envValue !== 'string' || envValue === '') {
    throw new ConfigError(
      `Invalid CDK context ${CONTEXT_KEYS.env}: expected an environment name, got ${JSON.stringify(envValue)}`,
    );
  }
  if (!isObject(environments)) {
    throw new ConfigError(
      `Invalid CDK context ${CONTEXT_KEYS.environments}: expected an object of environment name -> settings`,
    );
  }
  const own = environments[envValue];
  const builtin = BUILTIN_ENVIRONMENTS[envValue];
  if (own === undefined && builtin === undefined) {
    const known = [
      ...new Set([...Object.keys(BUILTIN_ENVIRONMENTS), ...Object.keys(environments)]),
    ].join(', ');
    throw new ConfigError(
      `Unknown environment "${envValue}" (CDK context ${CONTEXT_KEYS.env}): expected one of ${known}, or declare it under ${CONTEXT_KEYS.environments}`,
    );
  }
  if (own !== undefined && !isObject(own)) {
    throw new ConfigError(
      `Invalid CDK context ${CONTEXT_KEYS.environments}.${envValue}: expected an object of settings`,
    );
  }
  const merged = mergeConfig(builtin ?? { stackPrefix: `Epycloud-${envValue}` }, own ?? {});
  const parsed = environmentSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = [CONTEXT_KEYS.environments, envValue, ...issue.path.map(String)].join('.');
      return `${path}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid CDK context for environment "${envValue}"`, problems);
  }
  return { ...parsed.data, name: envValue };
}
