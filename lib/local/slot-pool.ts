import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { EnvironmentError } from '../errors.js';
import type { Exec } from '../host/exec.js';
import { SLOT_AGENT, type TaskRequest } from './slot-agent.js';
import { SlotContainer } from './slot-container.js';
import type { StageLaunch, StageSession } from './types.js';

/** Labels of every slot container: found and removed by a later run when their CLI is gone. */
export const SLOT_LABELS = {
  slot: 'org.epycloud.slot',
  host: 'org.epycloud.owner-host',
  pid: 'org.epycloud.owner-pid',
} as const;

/** The process that owns slot containers: its host and pid, as the labels hold them. */
export interface SlotOwner {
  readonly host: string;
  readonly pid: number;
}

/** What a slot container is made of: the same settings as docker/compose.yaml's services. */
export interface SlotSpec {
  readonly image: string;
  /** Host folder mounted at `/local`. */
  readonly localDir: string;
  readonly user: { readonly uid: number; readonly gid: number };
  readonly owner: SlotOwner;
}

/**
 * `docker run` arguments of a slot container: attached stdin (the agent's
 * lifeline), removed when it ends, docker-init as PID 1, no network, the
 * caller's user, the local folder at `/local`, labelled with its owner.
 */
export function slotRunArgs(spec: SlotSpec, name: string): string[] {
  return [
    'run',
    '-i',
    '--rm',
    '--init',
    '--name',
    name,
    '--label',
    `${SLOT_LABELS.slot}=true`,
    '--label',
    `${SLOT_LABELS.host}=${spec.owner.host}`,
    '--label',
    `${SLOT_LABELS.pid}=${spec.owner.pid}`,
    '--network',
    'none',
    '--user',
    `${spec.user.uid}:${spec.user.gid}`,
    '--workdir',
    '/app',
    '--volume',
    `${spec.localDir}:/local`,
    '--env',
    'EXECUTION_MODE=local',
    '--env',
    'LOCAL_BUCKET_DIR=/local/bucket',
    spec.image,
    'node',
    '-e',
    SLOT_AGENT,
  ];
}

/** Whether `pid` runs on this host (EPERM: it runs, as another user). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes slot containers left by an epycloud of this host that is no longer
 * running (a crash the lifeline could not cover, e.g. the engine restarted);
 * containers of live CLIs, here or elsewhere, are left alone. Never throws.
 */
export async function removeLeftovers(exec: Exec, host = hostname()): Promise<string[]> {
  const format = `{{.ID}} {{.Label "${SLOT_LABELS.host}"}} {{.Label "${SLOT_LABELS.pid}"}}`;
  const listed = await exec('docker', [
    'ps',
    '-a',
    '--filter',
    `label=${SLOT_LABELS.slot}`,
    '--format',
    format,
  ]);
  const stale = listed.stdout
    .split('\n')
    .map((line) => line.trim().split(' '))
    .filter(([id, owner, pid]) => id && owner === host && !isAlive(Number(pid)))
    .map(([id]) => id!);
  if (stale.length > 0) await exec('docker', ['rm', '-f', ...stale]);
  return stale;
}

/** Options of {@link slotPool}. */
export interface SlotPoolOptions {
  readonly spec: SlotSpec;
  /** Containers to start at once (more start on demand). */
  readonly warm: number;
  /** The docker client's environment. */
  readonly env: NodeJS.ProcessEnv;
  readonly exec: Exec;
  /** What the agent runs for a launch: the stage entry and the task's environment. */
  readonly request: (launch: StageLaunch) => TaskRequest;
  /** The log's header line of a launch in a container. */
  readonly header: (launch: StageLaunch, container: string) => string;
}

/**
 * A session of long-lived slot containers: `warm` of them start at once; a
 * launch (a stage, or a Stage B task) takes an idle container or starts one
 * (so there are no more than launches ever ran at once, or `warm`), runs it
 * there as a fresh process, and gives the container back. `close` ends them
 * all and removes any that did not end cleanly; the first start also removes
 * leftovers of dead CLIs (`removeLeftovers`).
 */
export function slotPool(options: SlotPoolOptions): StageSession {
  const idle: SlotContainer[] = [];
  const all: SlotContainer[] = [];
  const prefix = `epycloud-slot-${randomBytes(4).toString('hex')}`;
  let leftovers: Promise<unknown> | undefined;
  const start = (): SlotContainer => {
    leftovers ??= removeLeftovers(options.exec, options.spec.owner.host).catch(() => undefined);
    const name = `${prefix}-${all.length}`;
    const slot = new SlotContainer({
      name,
      runArgs: slotRunArgs(options.spec, name),
      env: options.env,
      exec: options.exec,
    });
    all.push(slot);
    return slot;
  };
  for (let i = 0; i < options.warm; i += 1) idle.push(start());
  let closed: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    const codes = await Promise.all(all.map((slot) => slot.close()));
    const unclean = all.filter((_, i) => codes[i] !== 0).map((slot) => slot.name);
    if (unclean.length > 0) await options.exec('docker', ['rm', '-f', ...unclean]);
    await leftovers;
  };
  return {
    async launch(launch) {
      launch.signal?.throwIfAborted();
      if (closed !== undefined)
        throw new EnvironmentError('Internal: a task after its slots closed');
      let slot = idle.pop();
      while (slot !== undefined && !slot.alive) slot = idle.pop();
      slot ??= start();
      try {
        return await slot.run(launch, options.request(launch), options.header(launch, slot.name));
      } finally {
        if (slot.alive) idle.push(slot);
      }
    },
    close: () => (closed ??= close()),
  };
}
