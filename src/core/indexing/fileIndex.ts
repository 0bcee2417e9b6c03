/**
 * A dataset indexed from disk on a worker thread (indexWorker.ts), for the annotation panels: any
 * file size, never the file's text in memory, only each item's (or record's) line, id and byte span.
 * What the worker finds arrives chunk by chunk; `onUpdate` fires after each, so a panel can show the
 * first item at once and the indexing progress after.
 */
import type { Worker } from 'node:worker_threads';
import { readSpan } from '../jsonl/readLines';
import type { Item, Mode } from '../preference/items';
import type { RecordRef } from '../records/recordIndex';
import { startWorker } from '../threads/startWorker';

/** [byte offset, byte length] of a line in the file */
export type Span = readonly [number, number];

export interface SpannedItem extends Item {
  /** the byte spans of `lines`, in the same order */
  readonly spans: readonly Span[];
}

export interface IndexJob {
  readonly path: string;
  readonly kind: 'items' | 'records';
}

export type IndexMessage =
  | { readonly type: 'start'; readonly size: number; readonly mtimeMs: number }
  | { readonly type: 'mode'; readonly mode: Mode }
  | { readonly type: 'items'; readonly items: SpannedItem[]; readonly bytes: number }
  | { readonly type: 'records'; readonly lines: number[]; readonly ids: string[]; readonly spans: Span[]; readonly bytes: number }
  | { readonly type: 'progress'; readonly bytes: number }
  | { readonly type: 'done'; readonly skipped: number; readonly lines: number }
  | { readonly type: 'error'; readonly message: string };

export class FileIndex {
  mode?: Mode;
  readonly items: SpannedItem[] = [];
  /** kind 'records': every record, in line order, and its span */
  readonly records: RecordRef[] = [];
  private readonly recordSpans: Span[] = [];
  size = 0;
  bytes = 0;
  /** the file's modification time when indexing began */
  mtimeMs = 0;
  done = false;
  skipped = 0;
  error?: string;
  private readonly worker: Worker;
  private readonly finished: Promise<void>;
  private readonly waiters: (() => void)[] = [];

  constructor(
    readonly path: string,
    readonly kind: IndexJob['kind'],
    private readonly onUpdate: () => void = () => {},
  ) {
    this.worker = startWorker(__dirname, 'indexWorker', { path, kind } satisfies IndexJob);
    this.finished = new Promise<void>((resolve) => {
      const end = (error?: string) => {
        if (this.done) return;
        this.error = error;
        this.done = true;
        void this.worker.terminate();
        resolve();
        this.notify();
      };
      this.worker.on('message', (m: IndexMessage) => {
        switch (m.type) {
          case 'start':
            this.size = m.size;
            this.mtimeMs = m.mtimeMs;
            return;
          case 'mode':
            this.mode = m.mode;
            return;
          case 'items':
            for (const it of m.items) this.items.push(it);
            this.bytes = m.bytes;
            break;
          case 'records':
            for (let i = 0; i < m.lines.length; i++) {
              this.records.push({ line: m.lines[i]!, id: m.ids[i]! });
              this.recordSpans.push(m.spans[i]!);
            }
            this.bytes = m.bytes;
            break;
          case 'progress':
            this.bytes = m.bytes;
            break;
          case 'done':
            this.skipped = m.skipped;
            this.bytes = this.size;
            return end();
          case 'error':
            return end(`${path}: could not be indexed: ${m.message}`);
        }
        this.notify();
      });
      this.worker.once('error', (e) => end(`${path}: could not be indexed: ${e.message}`));
      this.worker.once('exit', () => end(this.done ? undefined : `${path}: the indexer stopped`));
    });
  }

  /** Share of the file read, 0..1. */
  get fraction(): number {
    return this.done ? 1 : this.size ? this.bytes / this.size : 0;
  }

  whenDone(): Promise<void> {
    return this.finished;
  }

  /** Resolves once item k is indexed (true) or the file has fewer items (false). */
  async item(k: number): Promise<SpannedItem | undefined> {
    while (!this.done && this.items.length <= k) await this.next();
    return this.items[k];
  }

  /** Resolves at the next update. */
  private next(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private notify(): void {
    const w = this.waiters.splice(0);
    for (const resolve of w) resolve();
    this.onUpdate();
  }

  /** The text of the item's lines, read from disk now. */
  itemLines(it: SpannedItem): string[] {
    return it.spans.map((s) => readSpan(this.path, s));
  }

  /** The text of the record at a 1-based line (kind 'records'), read from disk now; undefined when no record is there. */
  recordLine(line: number): string | undefined {
    let lo = 0,
      hi = this.records.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const l = this.records[mid]!.line;
      if (l === line) return readSpan(this.path, this.recordSpans[mid]!);
      if (l < line) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  dispose(): void {
    if (!this.done) {
      this.done = true;
      this.error = 'cancelled';
      void this.worker.terminate();
      const w = this.waiters.splice(0);
      for (const resolve of w) resolve();
    }
  }
}
