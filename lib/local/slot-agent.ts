/** One task for a slot agent: the stage entry's arguments and the task's environment. */
export interface TaskRequest {
  /** Arguments of `node` in the container's working directory, e.g. `['dist/stage.mjs', 'runner']`. */
  readonly args: readonly string[];
  /** Added to the container's environment for this task's process only. */
  readonly env: Readonly<Record<string, string>>;
}

/** What a slot agent writes, one JSON object per line: a chunk of the task's output, or its end. */
export type AgentFrame = { readonly d: string } | { readonly exit: number };

/**
 * The slot agent, run as `node -e` as the main process of a slot container
 * (under docker-init). It reads one {@link TaskRequest} per stdin line and
 * runs it as a fresh child process (the container's environment plus the
 * task's, nothing of an earlier task), forwarding the child's stdout and
 * stderr, then its exit code (128 + signal number when killed), as
 * {@link AgentFrame} lines on stdout. The child's stdin is a pipe the agent
 * holds open and never writes: the stage's lifeline. When the agent's own
 * stdin closes (the CLI closed the slot, or is gone) it exits, and so does the
 * container, with every process in it.
 */
export const SLOT_AGENT = `'use strict';
const { spawn } = require('node:child_process');
const { signals } = require('node:os').constants;
const send = (frame) => process.stdout.write(JSON.stringify(frame) + '\\n');
const run = (task) => {
  let done = false;
  const finish = (exit) => {
    if (!done) send({ exit });
    done = true;
  };
  const child = spawn(process.execPath, task.args, {
    env: { ...process.env, ...task.env },
    stdio: 'pipe',
  });
  child.stdin.on('error', () => undefined);
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (d) => send({ d }));
  }
  child.on('error', (error) => {
    send({ d: 'epycloud slot agent: cannot start node: ' + error.message + '\\n' });
    finish(127);
  });
  child.on('close', (code, signal) => finish(code ?? 128 + (signals[signal] ?? 0)));
};
require('node:readline')
  .createInterface({ input: process.stdin })
  .on('line', (line) => run(JSON.parse(line)))
  .on('close', () => process.exit(0));
`;

/** The agent's frame on a line of its stdout; undefined for anything else. */
export function parseFrame(line: string): AgentFrame | undefined {
  try {
    const frame = JSON.parse(line) as Partial<{ d: unknown; exit: unknown }>;
    if (typeof frame.d === 'string') return { d: frame.d };
    if (typeof frame.exit === 'number') return { exit: frame.exit };
  } catch {
    // not a frame
  }
  return undefined;
}

/** Longest partial line kept for `onLine` (a longer one is dropped, as `tapLines` does). */
const MAX_LINE_CHARS = 65_536;

/** Splits text chunks into lines for `onLine`, synchronously; `end` delivers a last line without newline. */
export function lineSplitter(onLine: (line: string) => void): {
  write(text: string): void;
  end(): void;
} {
  let partial = '';
  return {
    write(text) {
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      if (partial.length > MAX_LINE_CHARS) partial = '';
      for (const line of lines) onLine(line);
    },
    end() {
      if (partial !== '') onLine(partial);
      partial = '';
    },
  };
}
