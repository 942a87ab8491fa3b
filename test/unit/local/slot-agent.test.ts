import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../../lib/contract/env.js';
import { containerEnvironment } from '../../../lib/local/launchers.js';
import {
  lineSplitter,
  parseFrame,
  SLOT_AGENT,
  type AgentFrame,
} from '../../../lib/local/slot-agent.js';
import { removeLeftovers, SLOT_LABELS, slotRunArgs } from '../../../lib/local/slot-pool.js';
import type { Exec } from '../../../lib/host/exec.js';

/** The agent as a host process, as the container runs it: send tasks, read frames until each exit. */
function agent() {
  const child = spawn(process.execPath, ['-e', SLOT_AGENT], { stdio: 'pipe', env: { KEEP: 'k' } });
  const frames: AgentFrame[] = [];
  let waiting: (() => void) | undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const frame = parseFrame(line);
    if (frame !== undefined) frames.push(frame);
    if (frame !== undefined && 'exit' in frame) waiting?.();
  });
  const task = async (script: string, env: Record<string, string> = {}) => {
    frames.length = 0;
    const done = new Promise<void>((resolve) => (waiting = resolve));
    child.stdin.write(`${JSON.stringify({ args: ['-e', script], env })}\n`);
    await done;
    const output = frames.map((f) => ('d' in f ? f.d : '')).join('');
    const exit = frames.find((f) => 'exit' in f) as { exit: number };
    return { output, exit: exit.exit };
  };
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, task, exited };
}

describe('slot agent', () => {
  it('runs each task as a fresh process with only its own environment, forwarding output and exit code', async () => {
    const { child, task, exited } = agent();
    const first = await task(
      'console.log(process.env.TASK_INDEX, process.env.KEEP, process.pid); console.error("err"); process.exit(3)',
      { TASK_INDEX: '1' },
    );
    expect(first.exit).toBe(3);
    expect(first.output).toMatch(/^1 k \d+\n/);
    expect(first.output).toContain('err\n');
    const second = await task('console.log(String(process.env.TASK_INDEX), process.pid)');
    expect(second.exit).toBe(0);
    expect(second.output.split(' ')[0]).toBe('undefined');
    expect(second.output.split(' ')[1]).not.toBe(first.output.split(' ')[2]);
    child.stdin.end();
    expect(await exited).toBe(0);
  });

  it('reports a task killed by a signal as 128 + its number', async () => {
    const { child, task, exited } = agent();
    expect((await task('process.kill(process.pid, "SIGTERM")')).exit).toBe(143);
    child.stdin.end();
    await exited;
  });

  it("holds the task's stdin open (its lifeline) and exits when its own stdin closes", async () => {
    const { child, exited } = agent();
    const script =
      "process.stdin.on('end', () => console.log('ended')).resume(); setTimeout(() => console.log('open'), 200);";
    const output: string[] = [];
    createInterface({ input: child.stdout }).on('line', (l) => output.push(l));
    child.stdin.write(`${JSON.stringify({ args: ['-e', script], env: {} })}\n`);
    await new Promise((r) => setTimeout(r, 1000));
    expect(output.join('\n')).toContain('"open\\n"');
    expect(output.join('\n')).not.toContain('ended');
    child.stdin.end();
    expect(await exited).toBe(0);
  });
});

describe('slot containers', () => {
  it('get what docker/compose.yaml forwards: contract variables, fault injection, the lifeline, the bucket path in the container', () => {
    const env = containerEnvironment(
      { [ENV.expId]: 'e', [ENV.taskIndex]: '4', [ENV.localBucketDir]: '/home/me/local/bucket' },
      { PATH: '/usr/bin', [ENV.faultTasks]: '2', [ENV.taskIndexOffset]: '9', SECRET: 'x' },
    );
    expect(env).toEqual({
      [ENV.expId]: 'e',
      [ENV.taskIndex]: '4',
      [ENV.faultTasks]: '2',
      [ENV.lifeline]: 'stdin',
      [ENV.localBucketDir]: '/local/bucket',
    });
  });

  it('run like the Compose services: no network, docker-init, removed at the end, the caller, /local; labelled with their owner', () => {
    const args = slotRunArgs(
      { image: 'img', localDir: '/l', user: { uid: 5, gid: 6 }, owner: { host: 'h', pid: 42 } },
      'n',
    );
    const text = args.join(' ');
    for (const part of [
      'run -i --rm --init --name n',
      '--network none',
      '--user 5:6',
      '--workdir /app',
      '--volume /l:/local',
      'LOCAL_BUCKET_DIR=/local/bucket',
      `${SLOT_LABELS.host}=h`,
      `${SLOT_LABELS.pid}=42`,
    ])
      expect(text).toContain(part);
    expect(args.slice(-4, -1)).toEqual(['img', 'node', '-e']);
  });

  it('removes leftovers of dead CLIs of this host only', async () => {
    const dead = 2 ** 22 + 17; // above pid_max
    const calls: string[][] = [];
    const exec: Exec = (file, args) => {
      calls.push([file, ...args]);
      const stdout = args[0] === 'ps' ? `a h ${dead}\nb h ${process.pid}\nc other ${dead}\n` : '';
      return Promise.resolve({ exitCode: 0, stdout, stderr: '' });
    };
    expect(await removeLeftovers(exec, 'h')).toEqual(['a']);
    expect(calls[0]).toContain(`label=${SLOT_LABELS.slot}`);
    expect(calls.at(-1)).toEqual(['docker', 'rm', '-f', 'a']);
  });

  it('split output into lines for progress, in order, the last one without newline at the end', () => {
    const lines: string[] = [];
    const split = lineSplitter((l) => lines.push(l));
    split.write('a\nb');
    split.write('c\n\nd');
    split.end();
    expect(lines).toEqual(['a', 'bc', '', 'd']);
  });
});
