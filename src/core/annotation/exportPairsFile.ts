/**
 * Export Preference Pairs from a dataset on disk, any size, the file never opened as a document: its
 * items come from the worker's index (FileIndex, as the ranking panel reads it: the same ids), only the
 * labelled items' lines are read (by their byte spans), and each pair is written as it is derived to a
 * temporary file that replaces `out` at the end (atomic: a failed or cancelled export leaves the old
 * file as it was).
 */
import { AtomicWriter } from '../jsonl/atomicFile';
import type { FileIndex } from '../indexing/fileIndex';
import type { AnnotationEvent } from '../preference/annotationStore';
import { PairExporter, type ExportResult } from '../preference/exportPairs';
import type { Strategy } from '../preference/pairs';

export interface FileExportResult extends Omit<ExportResult, 'pairs'> {
  /** pairs written */
  readonly written: number;
}

export class ExportCancelled extends Error {
  constructor() {
    super('the export was cancelled: nothing was written');
  }
}

/**
 * `index`: the dataset's item index (its mode known: await `index.item(0)` first, to ask for a strategy
 * in ranking mode). `progress` gets the share of the file read; `cancelled` is asked between items.
 */
export async function exportPairsFile(
  index: FileIndex,
  events: readonly AnnotationEvent[],
  out: string,
  opts: { readonly strategy?: Strategy; readonly progress?: (fraction: number) => void; readonly cancelled?: () => boolean } = {},
): Promise<FileExportResult> {
  const exporter = new PairExporter(index.mode ?? 'pair', events, opts.strategy);
  const w = new AtomicWriter(out);
  let written = 0;
  try {
    let batch = '';
    for (let k = 0; ; k++) {
      const it = await index.item(k);
      if (index.error) throw new Error(index.error);
      if (!it) break;
      if (opts.cancelled?.()) throw new ExportCancelled();
      if (k % 1000 === 0) opts.progress?.(index.fraction);
      if (!exporter.labelled(it)) continue;
      for (const p of exporter.pairsOf(it, index.itemLines(it))) {
        batch += JSON.stringify(p) + '\n';
        written++;
      }
      // Stryker disable next-line ConditionalExpression: equivalent: only how much is held before a write changes, the file written is the same
      if (batch.length > 1 << 20) {
        w.write(batch);
        batch = '';
      }
    }
    w.write(batch);
  } catch (e) {
    w.abort();
    throw e;
  }
  w.commit();
  return { ...exporter.counts(), written };
}
