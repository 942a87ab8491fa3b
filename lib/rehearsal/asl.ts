/** One state of an ASL definition, as far as the rehearsal reads it. */
export interface AslState {
  Type?: string;
  Resource?: string;
  TimeoutSeconds?: number;
  Retry?: unknown[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
  Branches?: AslMachine[];
  [field: string]: unknown;
}

/** An ASL state machine (or a Map/Parallel branch). */
export interface AslMachine {
  StartAt?: string;
  States?: Record<string, AslState>;
  [field: string]: unknown;
}

/** Every state, with nested Map and Parallel states, as `[name, state]` pairs. */
export function allStates(machine: AslMachine): [string, AslState][] {
  return Object.entries(machine.States ?? {}).flatMap(([name, state]): [string, AslState][] => [
    [name, state],
    ...[state.ItemProcessor, state.Iterator, ...(state.Branches ?? [])].flatMap((m) =>
      m ? allStates(m) : [],
    ),
  ]);
}

/**
 * A copy of the definition with the same meaning that the interpreter
 * (aws-local-stepfunctions 3.0) reads as Step Functions does:
 * - Task states without a timeout get AWS's default (none; here a day), since
 *   the interpreter would stop them after 60 s;
 * - `ResultPath: "$"` (the result replaces the input) is written as the
 *   equivalent absent ResultPath, since the interpreter stores the result
 *   under a key named `$` instead.
 */
export function forInterpreter(definition: AslMachine): AslMachine {
  const copy = structuredClone(definition);
  for (const [, state] of allStates(copy)) {
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined) state.TimeoutSeconds = 86_400;
    if (state.ResultPath === '$') delete state.ResultPath;
  }
  return copy;
}

/** Names of the states that retry, each mapped to a zero wait (rehearsals do not sleep through backoffs). */
export function noRetryWaits(definition: AslMachine): Record<string, number> {
  return Object.fromEntries(
    allStates(definition)
      .filter(([, s]) => (s.Retry ?? []).length > 0)
      .map(([name]) => [name, 0]),
  );
}
