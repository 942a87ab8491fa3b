import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Longest line kept whole; a longer one is dropped (stage log lines are far shorter). */
const MAX_LINE_CHARS = 65_536;

/**
 * Calls `onLine` with each line a stream emits, without its newline, while
 * other consumers (a pipe to the log file) get the same bytes; the last line
 * is delivered at the end even without a newline.
 */
export function tapLines(stream: Readable, onLine: (line: string) => void): void {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const lines = (partial + decoder.write(chunk)).split('\n');
    partial = lines.pop() ?? '';
    if (partial.length > MAX_LINE_CHARS) partial = '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    const rest = partial + decoder.end();
    if (rest !== '') onLine(rest);
  });
}
