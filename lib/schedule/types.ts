import type { ScheduleDefinition, ScheduleState } from './definition.js';

/** What `schedule create` asks for: a schedule, and the experiment folder it runs. */
export interface ScheduleRequest {
  readonly definition: ScheduleDefinition;
  /** The experiment folder on this machine (holds `config/`): validated, and in the cloud snapshotted. */
  readonly experimentDir: string;
}

/**
 * Where schedules live: a file on this machine (`--local`), or EventBridge
 * Scheduler in the deployment's schedule group. `create` throws a
 * ValidationError for a name that exists; `delete` and `setState` a
 * NotFoundError for one that does not.
 */
export interface ScheduleStore {
  /** For messages: the file, or `EventBridge Scheduler group <name>`. */
  readonly location: string;
  create(request: ScheduleRequest): Promise<ScheduleDefinition>;
  /** Every schedule, by name. */
  list(): Promise<ScheduleDefinition[]>;
  /** Removes a schedule (in the cloud, also its experiment snapshot); returns what it was. */
  delete(name: string): Promise<ScheduleDefinition>;
  /** Pauses (`DISABLED`) or resumes (`ENABLED`) a schedule; returns it as it is now. */
  setState(name: string, state: ScheduleState): Promise<ScheduleDefinition>;
}
