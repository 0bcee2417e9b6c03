// Export Preference Pairs from disk: the same pairs as the in-memory export, the file never read whole,
// written atomically (a cancelled or failed export leaves the old file and no temporary file).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExportCancelled, exportPairsFile } from '../../src/core/annotation/exportPairsFile';
import { FileIndex } from '../../src/core/indexing/fileIndex';
import type { AnnotationEvent } from '../../src/core/preference/annotationStore';
import { exportLabelled } from '../../src/core/preference/exportPairs';
import { buildItems } from '../../src/core/preference/items';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-export-'));
const ev = (annotator: string, id: string, line: number, e: Partial<AnnotationEvent>): AnnotationEvent =>
  ({ v: 1, kind: 'pair', id, line, annotator, time: '', ...e }) as AnnotationEvent;

/** Every few items labelled by one or two annotators: confirmed, swapped, tied, flagged, split. */
function labels(items: ReturnType<typeof buildItems>): AnnotationEvent[] {
  const out: AnnotationEvent[] = [];
  items.items.forEach((it, i) => {
    const line = it.lines[0]!;
    if (items.mode === 'ranking') {
      if (i % 3 === 0) out.push(ev('ana', it.id, line, { kind: 'ranking', ranks: [2, 1, 3] }));
      if (i % 6 === 0) out.push(ev('bo', it.id, line, { kind: 'ranking', ranks: [1, 2, 3] }));
      return;
    }
    const choice = (['chosen', 'rejected', 'tie', 'flag', 'chosen'] as const)[i % 5];
    if (i % 7 < 5) out.push(ev('ana', it.id, line, { choice }));
    if (i % 11 === 0) out.push(ev('bo', it.id, line, { choice: 'rejected' }));
  });
  return out;
}

async function fromDisk(path: string, events: AnnotationEvent[], out: string, strategy?: 'all-pairs' | 'best-vs-rest') {
  const index = new FileIndex(path, 'items');
  try {
    await index.item(0);
    return await exportPairsFile(index, events, out, { strategy });
  } finally {
    index.dispose();
  }
}

test('from disk: the same pairs, in the same order, as the in-memory export (pairs, rankings, grouped rankings)', async () => {
  const pairLines = Array.from({ length: 3000 }, (_, i) =>
    i % 500 === 7 ? '{"prompt": "broken' : JSON.stringify({ prompt: `Question ${i}?`, chosen: `Good answer ${i}.`, rejected: `Bad answer ${i}.` }),
  );
  const rankLines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ prompt: `Say hi ${i}`, completions: [`Hello ${i}!`, `hi ${i}`, `Go away ${i}.`] }));
  const groupedLines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ prompt: `Prompt ${i % 100}`, completion: `Answer ${i}` }));
  for (const [name, lines, strategy] of [
    ['pairs', pairLines, undefined],
    ['rankings', rankLines, 'best-vs-rest'],
    ['grouped', groupedLines, 'all-pairs'],
  ] as const) {
    const path = join(dir, `${name}.jsonl`);
    writeFileSync(path, lines.join('\n') + '\n');
    const items = buildItems(lines);
    const events = labels(items);
    const expected = exportLabelled(lines, items, events, strategy);
    assert.ok(expected.pairs.length > 10, `${name}: pairs to export`);
    const out = join(dir, `${name}.pairs.jsonl`);
    const r = await fromDisk(path, events, out, strategy);
    const written = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(written, expected.pairs, `${name}: the pairs`);
    assert.deepEqual(
      [r.written, r.kept, r.swapped, r.dropped, r.unlabelled],
      [expected.pairs.length, expected.kept, expected.swapped, expected.dropped, expected.unlabelled],
      `${name}: the counts`,
    );
  }
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith('.tmp')),
    [],
    'no temporary file left',
  );
});

test('from disk: a cancelled export, or one whose dataset cannot be read, leaves the old output whole and no temporary file', async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ prompt: `Q ${i}?`, chosen: `Yes ${i}.`, rejected: `No ${i}.` }));
  const path = join(dir, 'cancel.jsonl');
  writeFileSync(path, lines.join('\n') + '\n');
  const items = buildItems(lines);
  const events = items.items.map((it) => ev('ana', it.id, it.lines[0]!, { choice: 'chosen' }));
  const out = join(dir, 'cancel.pairs.jsonl');
  writeFileSync(out, 'the old export\n');
  const index = new FileIndex(path, 'items');
  await index.item(0);
  let asked = 0;
  await assert.rejects(exportPairsFile(index, events, out, { cancelled: () => ++asked > 100 }), (e) => e instanceof ExportCancelled);
  index.dispose();
  assert.equal(readFileSync(out, 'utf8'), 'the old export\n', 'the old output is untouched');
  // the index stopped under it (the editor closing, the worker gone): an error, not a short file
  const stopped = new FileIndex(path, 'items');
  await stopped.item(0);
  stopped.dispose();
  await assert.rejects(exportPairsFile(stopped, events, out), /cancelled/);
  assert.equal(readFileSync(out, 'utf8'), 'the old export\n');
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.startsWith('.cancel.pairs')),
    [],
    'no temporary file left',
  );
  // and a whole one replaces it
  const r = await fromDisk(path, events, out);
  assert.equal(r.written, 5000);
  assert.ok(existsSync(out) && readFileSync(out, 'utf8').split('\n').length === 5001);
});
