/**
 * Stream a file line by line without holding it in memory: fixed-size reads, lines decoded as UTF-8,
 * \r\n and \n both end a line, a leading BOM is kept for the line parser to skip.
 */
import { open } from 'node:fs/promises';

const CHUNK = 1 << 20;

export interface ReadOptions {
  readonly start?: number;
  readonly end?: number;
  readonly signal?: AbortSignal;
}

/**
 * Calls onLines with batches of lines (each batch ends on a line boundary). The unfinished tail of
 * a read moves to the buffer's front; nothing is copied twice.
 */
export async function forEachLineBatch(path: string, onLines: (lines: string[]) => void, opts: ReadOptions = {}): Promise<void> {
  const fh = await open(path, 'r');
  try {
    let pos = opts.start ?? 0;
    const end = opts.end ?? (await fh.stat()).size;
    let buf = Buffer.allocUnsafe(CHUNK);
    let held = 0; // bytes of an unfinished line at the front of buf
    while (pos < end) {
      if (opts.signal?.aborted) throw new Error('cancelled');
      if (held === buf.length) {
        // a line longer than the buffer: grow it
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, held);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, held, Math.min(buf.length - held, end - pos), pos);
      if (bytesRead === 0) break;
      pos += bytesRead;
      const filled = held + bytesRead;
      const last = buf.lastIndexOf(10, filled - 1);
      if (last < 0) {
        held = filled;
        continue;
      }
      // decoding line by line keeps ASCII lines one-byte strings (a whole-chunk decode makes every
      // line two-byte as soon as the chunk holds one non-ASCII character: slower to decode and parse)
      const lines: string[] = [];
      let s = 0;
      while (s <= last) {
        const nl = buf.indexOf(10, s);
        lines.push(buf.toString('utf8', s, nl > s && buf[nl - 1] === 13 ? nl - 1 : nl));
        s = nl + 1;
      }
      held = filled - (last + 1);
      buf.copy(buf, 0, last + 1, filled);
      onLines(lines);
    }
    if (held > 0) {
      const e = buf[held - 1] === 13 ? held - 1 : held;
      onLines([buf.toString('utf8', 0, e)]);
    }
  } finally {
    await fh.close();
  }
}
