/**
 * Index a dataset file from disk for the annotation panels, streamed with the validator's line reader,
 * posting what it found after every chunk so that the first item shows while the rest of the file is
 * still being read. Two kinds of index:
 * - 'items': the ranking panel's items (core/preference/items: the same ids as in memory), each with
 *   the byte spans of its lines;
 * - 'records': every record's line, content id and byte span (the review panel's sample and gate).
 * It runs on a worker thread (indexWorker.ts, for FileIndex) and, in the tests, in this one.
 */
import { stat } from 'node:fs/promises';
import { forEachChunk, forEachLineIn } from '../jsonl/readLines';
import { ItemIndexer, MODE_SAMPLE_RECORDS, modeOf } from '../preference/items';
import { refOf } from '../records/recordIndex';
import type { IndexJob, IndexMessage, Span, SpannedItem } from './fileIndex';

/** Index job.path, handing each message to `post` in order; the last is 'done' (a failure rejects). */
export async function indexFile(job: IndexJob, post: (m: IndexMessage) => void): Promise<void> {
  const { size, mtimeMs } = await stat(job.path);
  post({ type: 'start', size, mtimeMs });
  let base = 0; // file offset of the chunk's first byte
  let line = 0;
  let items: SpannedItem[] = [];
  const records = { lines: [] as number[], ids: [] as string[], spans: [] as Span[] };
  // items: the mode is decided from the first records; lines wait in `head` until then
  let indexer: ItemIndexer | undefined;
  let head: { text: string; line: number; span: Span }[] = [];
  let headRecords = 0;
  const spans = new Map<number, Span>(); // grouped mode: every line's span, for the groups at the end
  const pushItem = (text: string, l: number, span: Span) => {
    if (indexer!.grouped) spans.set(l, span);
    const it = indexer!.push(text, l);
    if (it) items.push({ ...it, spans: [span] });
  };
  const decide = () => {
    const { mode, grouped } = modeOf(head.map((h) => h.text));
    indexer = new ItemIndexer(mode, grouped);
    post({ type: 'mode', mode });
    for (const h of head) pushItem(h.text, h.line, h.span);
    head = [];
  };
  const flush = (bytes: number) => {
    if (job.kind === 'items') {
      if (items.length) post({ type: 'items', items, bytes });
      else post({ type: 'progress', bytes });
      items = [];
    } else {
      post({ type: 'records', ...records, bytes });
      records.lines = [];
      records.ids = [];
      records.spans = [];
    }
  };
  await forEachChunk(job.path, (buf, n) => {
    forEachLineIn(buf, n, (s, e) => {
      line++;
      const text = buf.toString('utf8', s, e);
      const span: Span = [base + s, e - s];
      if (job.kind === 'records') {
        const r = refOf(text, line);
        if (r) {
          records.lines.push(line);
          records.ids.push(r.id);
          records.spans.push(span);
        }
      } else if (indexer) pushItem(text, line, span);
      else {
        head.push({ text, line, span });
        if (text.trim() && ++headRecords >= MODE_SAMPLE_RECORDS) decide();
      }
    });
    base += n;
    flush(base);
  });
  if (job.kind === 'items') {
    if (!indexer) decide();
    for (const it of indexer!.finish()) items.push({ ...it, spans: it.lines.map((l) => spans.get(l)!) });
    flush(base);
    post({ type: 'done', skipped: indexer!.skipped, lines: line });
  } else post({ type: 'done', skipped: 0, lines: line });
}
