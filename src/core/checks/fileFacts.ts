/**
 * The facts of every line of a file (or of a byte range of it), streamed from disk: the byte-level
 * scan (cleanLine.ts) for the lines it proves clean, analyzeLine for every other line. A chunk that
 * is not valid UTF-8 goes through analyzeLine whole, which reads it as the editor would (U+FFFD).
 */
import { isUtf8 } from 'node:buffer';
import { analyzeLine, type LineFacts } from './analyzeLine';
import { scanCleanLine } from './cleanLine';
import type { ValidationOptions } from './datasetModel';
import { LineTable } from './lineTable';
import { forEachChunk, forEachLineIn, type ReadOptions } from '../jsonl/readLines';

/** Calls onBatch with the facts of each chunk's lines, in order, and the chunk's size in bytes. */
export async function forEachLineFacts(
  path: string,
  options: ValidationOptions,
  onBatch: (facts: LineFacts[], bytes: number) => void,
  read: ReadOptions = {},
): Promise<void> {
  // a user schema replaces the built-in formats: only analyzeLine knows how to apply it
  // (a registry's renaming of keys and turn tags, dataset_info.json, the scan reads with its own name tables)
  // exact token counts: every record goes through the tokenizer
  const scan = options.userSchema === undefined && options.tokenCounter === undefined;
  await forEachChunk(
    path,
    (buf, n) => {
      const fast = scan && isUtf8(buf.subarray(0, n));
      const facts: LineFacts[] = [];
      forEachLineIn(buf, n, (s, e) => {
        facts.push((fast && scanCleanLine(buf, s, e, options)) || analyzeLine(buf.toString('utf8', s, e), options));
      });
      onBatch(facts, n);
    },
    read,
  );
}

/** The facts of a file's lines (or a byte range's), in columns: what a worker posts back, and parallelScan's chunks. */
export async function factsTable(path: string, options: ValidationOptions, read: ReadOptions = {}): Promise<LineTable> {
  const table = new LineTable();
  await forEachLineFacts(
    path,
    options,
    (facts) => {
      for (const f of facts) table.push(f);
    },
    read,
  );
  return table;
}
