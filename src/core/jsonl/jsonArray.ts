/**
 * JSON array datasets (LLaMA-Factory's native `.json` files: `[ {record}, {record}, … ]`, usually
 * pretty-printed): split into their records as the text streams past, each record checked like a JSONL
 * line, and every position placed back in the file (line, UTF-16 column) for the editor and the CLI.
 * Only each record's text and the offsets of its line breaks are held, never the whole file.
 */
import { StringDecoder } from 'node:string_decoder';
import { open } from 'node:fs/promises';

/** One record of the array: its text, where it starts in the file, and the offsets of its own line breaks. */
export interface ArrayRecord {
  readonly text: string;
  /** 0-based line and UTF-16 column of its first character */
  readonly line: number;
  readonly col: number;
  /** offsets in `text` of each \n (a \r before one is part of the line it ends) */
  readonly breaks: readonly number[];
}

/** A problem of the array itself (no opening bracket, a missing comma …), placed in the file. */
export interface ArrayProblem {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

const WS = (c: number) => c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff;

/**
 * A push parser of the array's outer structure: feed() it text in pieces, end() it once. It calls
 * onRecord for each element and onProblem for what breaks the array (the rest is each record's business).
 */
export class ArraySplitter {
  private line = 0;
  private col = 0;
  /** 0 before "[", 1 want a record or "]", 2 in a record, 3 want "," or "]", 4 after "]" */
  private state = 0;
  private afterComma = false;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private breaks: number[] = [];
  private size = 0;
  private startLine = 0;
  private startCol = 0;
  private reported = false;

  constructor(
    private readonly onRecord: (r: ArrayRecord) => void,
    private readonly onProblem: (p: ArrayProblem) => void,
  ) {}

  private problem(message: string): void {
    if (this.reported) return; // one structural problem: the rest would be noise
    this.reported = true;
    this.onProblem({ line: this.line, col: this.col, message });
  }

  private finishRecord(text: string, from: number, to: number): void {
    if (to > from) this.parts.push(text.slice(from, to));
    const body = this.parts.join('');
    this.onRecord({ text: body, line: this.startLine, col: this.startCol, breaks: this.breaks });
    this.parts = [];
    this.breaks = [];
    this.size = 0;
    this.state = 3;
  }

  feed(text: string): void {
    let recordFrom = this.state === 2 ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case 0:
          if (c === 91) this.state = 1;
          else if (!WS(c)) {
            this.problem('A .json dataset must be a JSON array of records: [ {...}, {...} ] (for one record per line, use .jsonl)');
            this.state = 4;
          }
          break;
        case 1:
          if (c === 93) {
            if (this.afterComma) this.problem('Trailing comma before ]: remove the comma');
            this.state = 4;
          } else if (c === 44) {
            // an empty element ("[,{…}" or ",,"): JSON.parse and the trainers reject the whole file
            this.problem(this.afterComma ? 'Two commas in a row (an empty element): remove one' : 'Comma before the first record: remove it');
            this.afterComma = true;
          } else if (!WS(c)) {
            this.state = 2;
            this.startLine = this.line;
            this.startCol = this.col;
            this.depth = 0;
            this.inString = false;
            this.escaped = false;
            recordFrom = i;
            i--; // read this character as the record's first
            continue; // the position is not advanced twice
          }
          break;
        case 2: {
          if (this.inString) {
            if (this.escaped) this.escaped = false;
            else if (c === 92) this.escaped = true;
            else if (c === 34) this.inString = false;
          } else if (c === 34) this.inString = true;
          else if (c === 123 || c === 91) this.depth++;
          else if (c === 125 || c === 93) {
            if (this.depth === 0) {
              // "]" right after a scalar record ends the array
              this.finishRecord(text, recordFrom, i);
              recordFrom = -1;
              i--;
              continue;
            }
            this.depth--;
            if (this.depth === 0) {
              this.advance(c);
              this.finishRecord(text, recordFrom, i + 1);
              recordFrom = -1;
              continue;
            }
          } else if (this.depth === 0 && (c === 44 || WS(c))) {
            this.finishRecord(text, recordFrom, i);
            recordFrom = -1;
            i--;
            continue;
          }
          if (c === 10) this.breaks.push(this.size + (i - recordFrom));
          break;
        }
        case 3:
          if (c === 44) {
            this.state = 1;
            this.afterComma = true;
          } else if (c === 93) this.state = 4;
          else if (!WS(c)) {
            this.problem('Missing comma between two records: add "," after the record before');
            this.state = 1; // read on: the next record is still checked
            this.afterComma = false;
            i--;
            continue;
          }
          break;
        case 4:
          if (!WS(c)) {
            this.problem('Text after the closing ] of the array: remove it, or put it inside the array');
            // stop reading
            this.state = 5;
          }
          break;
        default:
          break;
      }
      if (this.state === 1 && c !== 44 && !WS(c)) this.afterComma = false;
      this.advance(c);
    }
    if (this.state === 2 && recordFrom >= 0) {
      this.parts.push(text.slice(recordFrom));
      this.size += text.length - recordFrom;
    }
  }

  private advance(c: number): void {
    if (c === 10) {
      this.line++;
      this.col = 0;
    } else this.col++;
  }

  end(): void {
    if (this.state === 2) this.finishRecord('', 0, 0);
    if (this.state === 0) this.problem('The file is empty: a .json dataset is a JSON array of records, [ {...}, {...} ]');
    else if (this.state === 1 || this.state === 3) this.problem('The array is not closed: add "]" at the end');
  }
}

/** Streams a .json array file through an ArraySplitter (UTF-8, any chunk boundaries). */
export async function forEachArrayRecord(
  path: string,
  onRecord: (r: ArrayRecord) => void,
  onProblem: (p: ArrayProblem) => void,
  signal?: AbortSignal,
): Promise<void> {
  const fh = await open(path, 'r');
  try {
    const splitter = new ArraySplitter(onRecord, onProblem);
    const decoder = new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (signal?.aborted) throw new Error('cancelled');
      if (bytesRead === 0) break;
      splitter.feed(decoder.write(buf.subarray(0, bytesRead)));
    }
    splitter.feed(decoder.end());
    splitter.end();
  } finally {
    await fh.close();
  }
}

/** Where an offset inside a record is in the file: 0-based line and UTF-16 column. */
export function placeIn(r: Pick<ArrayPlace, 'line' | 'col' | 'breaks'>, offset: number): { line: number; col: number } {
  let k = 0;
  while (k < r.breaks.length && r.breaks[k]! < offset) k++;
  return k === 0 ? { line: r.line, col: r.col + offset } : { line: r.line + k, col: offset - r.breaks[k - 1]! - 1 };
}

/** What placing needs of a record once its text is gone. */
export interface ArrayPlace {
  readonly line: number;
  readonly col: number;
  readonly breaks: readonly number[];
  readonly length: number;
}

export const placeOf = (r: ArrayRecord): ArrayPlace => ({ line: r.line, col: r.col, breaks: r.breaks, length: r.text.length });
