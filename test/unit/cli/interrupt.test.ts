import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { interruptOnSignals } from '../../../cli/interrupt.js';
import { InterruptedError } from '../../../lib/errors.js';

function setup() {
  const source = new EventEmitter();
  const written: string[] = [];
  const exits: number[] = [];
  const interrupt = interruptOnSignals(
    (text) => written.push(text),
    (code) => exits.push(code),
    source,
  );
  return { source, written, exits, interrupt };
}

describe('interruptOnSignals', () => {
  it('SIGINT aborts the running command with an InterruptedError that exits 130, and says so', () => {
    const { source, written, exits, interrupt } = setup();
    source.emit('SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    expect(interrupt.signal.reason).toBeInstanceOf(InterruptedError);
    expect((interrupt.signal.reason as InterruptedError).exitCode).toBe(130);
    expect(written.join('')).toMatch(/SIGINT: stopping the running stages/);
    expect(exits).toEqual([]);
  });

  it('SIGTERM exits 143; a second signal exits at once', () => {
    const { source, exits, interrupt } = setup();
    source.emit('SIGTERM');
    expect((interrupt.signal.reason as InterruptedError).exitCode).toBe(143);
    source.emit('SIGINT');
    expect(exits).toEqual([130]);
  });

  it('dispose removes its listeners', () => {
    const { source, interrupt } = setup();
    interrupt.dispose();
    expect(source.listenerCount('SIGINT') + source.listenerCount('SIGTERM')).toBe(0);
  });
});
