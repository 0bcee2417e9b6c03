/**
 * Stream a file line by line without holding it in memory: fixed-size reads, lines decoded as UTF-8,
 * \r\n and \n both end a line, a leading BOM is kept for the line parser to skip.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { giveSlot, isSlot, SLOT, takeSlot } from '../wasm/byteArena';

const CHUNK = SLOT;

/**
 * Read buffers kept for the next reader on this thread: a thread that reads a file range by range
 * (parallelScan's chunks) would otherwise map two fresh megabytes per range and leave them to the collector.
 * They come from the thread's byte arena first (WebAssembly memory: the string hash's kernel reads them
 * in place), then from this pool of ordinary buffers.
 */
const pool: Buffer[] = [];
function takeBuffer(): Buffer {
  return takeSlot() ?? pool.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
}
function giveBack(b: Buffer): void {
  if (isSlot(b)) giveSlot(b);
  else if (b.length === CHUNK && pool.length < 4) pool.push(b);
}

export interface ReadOptions {
  readonly start?: number;
  readonly end?: number;
  readonly signal?: AbortSignal;
  /** the file already open (a thread that reads several ranges of it keeps one handle) */
  readonly handle?: FileHandle;
}

/**
 * Calls onChunk with the file's bytes in pieces that end on a line boundary: buf[0, n) holds whole
 * lines, each ended by \n, except the file's last line when it has none. The next read runs while
 * onChunk works on this one, into a second buffer that begins with this one's unfinished tail.
 * The buffers are reused: onChunk must not keep them.
 */
export async function forEachChunk(path: string, onChunk: (buf: Buffer, n: number) => void, opts: ReadOptions = {}): Promise<void> {
  const fh = opts.handle ?? (await open(path, 'r'));
  try {
    let pos = opts.start ?? 0;
    const end = opts.end ?? (await fh.stat()).size;
    let buf = takeBuffer();
    let spare = takeBuffer();
    let held = 0; // bytes of an unfinished line at the front of buf
    let reading = pos < end ? fh.read(buf, 0, Math.min(buf.length, end - pos), pos) : undefined;
    while (reading) {
      const { bytesRead } = await reading;
      reading = undefined;
      if (opts.signal?.aborted) throw new Error('cancelled');
      if (bytesRead === 0) break;
      pos += bytesRead;
      const filled = held + bytesRead;
      const last = buf.lastIndexOf(10, filled - 1);
      const whole = last + 1; // 0 when no line ends in the buffer yet
      const tail = filled - whole;
      // a line longer than half a buffer: grow the next one, so that every read has room
      if (tail * 2 > spare.length) {
        giveBack(spare);
        spare = Buffer.allocUnsafe(Math.max(spare.length, tail) * 2);
      }
      buf.copy(spare, 0, whole, filled);
      if (pos < end) reading = fh.read(spare, tail, Math.min(spare.length - tail, end - pos), pos);
      if (whole > 0) onChunk(buf, whole);
      [buf, spare] = [spare, buf];
      held = tail;
    }
    if (held > 0) onChunk(buf, held);
    // (not when onChunk threw: a read may still be filling spare; the arena then lends ordinary buffers)
    giveBack(buf);
    giveBack(spare);
  } finally {
    if (!opts.handle) await fh.close();
  }
}

/** Calls onLine(start, end) for each line of buf[0, n): end excludes the \n and a \r before it. */
export function forEachLineIn(buf: Buffer, n: number, onLine: (start: number, end: number) => void): void {
  let s = 0;
  while (s < n) {
    let nl = buf.indexOf(10, s);
    if (nl < 0 || nl >= n) nl = n;
    onLine(s, nl > s && buf[nl - 1] === 13 ? nl - 1 : nl);
    s = nl + 1;
  }
}

/**
 * Calls onLines with batches of lines (each batch ends on a line boundary).
 * Decoding line by line keeps ASCII lines one-byte strings (a whole-chunk decode makes every line
 * two-byte as soon as the chunk holds one non-ASCII character: slower to decode and parse).
 */
export async function forEachLineBatch(path: string, onLines: (lines: string[]) => void, opts: ReadOptions = {}): Promise<void> {
  await forEachChunk(
    path,
    (buf, n) => {
      const lines: string[] = [];
      forEachLineIn(buf, n, (s, e) => lines.push(buf.toString('utf8', s, e)));
      onLines(lines);
    },
    opts,
  );
}

/** The text of a byte span of a file (one line the indexer found), read on its own. */
export function readSpan(path: string, [offset, length]: readonly [number, number]): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const n = readSync(fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return buf.toString('utf8', 0, got);
  } finally {
    closeSync(fd);
  }
}
