import { Worker } from 'node:worker_threads';

/**
 * Runs in a worker thread, with its own event loop, so a stage busy computing
 * on the main thread still notices at once. At the end of stdin it logs why
 * and ends the process with SIGTERM (a signal works from any thread; in a
 * container only when PID 1 is an init: docker/compose.yaml sets `init`).
 */
const WATCHER = `
const { Socket } = require('node:net');
const { writeSync } = require('node:fs');
const { workerData } = require('node:worker_threads');
const log = (message) => {
  const line = JSON.stringify({ time: new Date().toISOString(), level: 'error', stage: workerData.stage, message });
  try { writeSync(2, line + '\\n'); } catch {}
};
let stdin;
try {
  stdin = new Socket({ fd: 0, readable: true, writable: false });
} catch (error) {
  log('EPYCLOUD_LIFELINE=stdin but stdin cannot be watched (' + error.message + '): this stage will not stop with its launcher');
}
const stop = () => {
  log('stopping: stdin closed, the process that launched this stage is gone (EPYCLOUD_LIFELINE=stdin)');
  process.kill(process.pid, 'SIGTERM');
};
stdin?.on('end', stop).on('error', stop).resume();
`;

/**
 * Ends this process (SIGTERM, exit status 143) as soon as its stdin closes:
 * the launcher holding the other end of the pipe is gone, however it ended
 * (even by SIGKILL). Logs a JSON line for `stage` saying why.
 */
export function exitWhenStdinCloses(stage: string): void {
  // No execArgv: a loader such as tsx would make the watcher wait for the busy main thread.
  new Worker(WATCHER, { eval: true, workerData: { stage }, execArgv: [] }).unref();
}
