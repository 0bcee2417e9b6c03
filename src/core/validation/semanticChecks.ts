/**
 * `heldout-semantic-leak` (validateDataset.ts): a held-out JSONL file's records whose nearest record in its
 * training partner (checks/leakage.ts pairs them) is at cosine ≥ the threshold by a local embedding model
 * (insight/semantic.ts). Run by "Validate All Datasets" and `ftstudio validate` when a model is configured;
 * never as you type (embedding a file takes seconds). Records already reported as exact, prompt or near
 * leaks are not reported again. A model that cannot be loaded is told through `onProblem`, not thrown.
 */
import { basename } from 'node:path';
import { CODES } from '../checks/codes';
import type { Diagnostic } from '../checks/diagnostic';
import { trainPartner } from '../checks/leakage';
import { DEFAULT_SEMANTIC_THRESHOLD } from '../insight/embeddings';
import { openEmbedder, semanticLeaks, type SemanticConfig } from '../insight/semantic';

export interface SemanticValidation {
  readonly config: SemanticConfig;
  /** a model that cannot be loaded, or a comparison too large to run: said once per file */
  readonly onProblem?: (message: string) => void;
}

const ALREADY = new Set(['heldout-leak', 'heldout-prompt-leak', 'heldout-near-leak']);

export async function semanticLeakDiagnostics(path: string, s: SemanticValidation, found: readonly Diagnostic[], signal?: AbortSignal): Promise<Diagnostic[]> {
  const partner = trainPartner(path);
  if (!partner || /\.json$/i.test(path) || /\.json$/i.test(partner)) return [];
  const opened = await openEmbedder(s.config);
  if ('off' in opened) {
    s.onProblem?.(opened.off);
    return [];
  }
  const threshold = s.config.threshold ?? DEFAULT_SEMANTIC_THRESHOLD;
  try {
    const r = await semanticLeaks(opened.embedder, path, partner, threshold, { signal });
    if (r.skipped) s.onProblem?.(`${basename(path)}: semantic leakage not checked: ${r.skipped}`);
    const skip = new Set(found.filter((d) => ALREADY.has(d.code)).map((d) => d.line));
    const trainName = basename(partner);
    return r.leaks
      .filter((l) => !skip.has(l.heldoutLine - 1))
      .map((l) => ({
        line: l.heldoutLine - 1,
        start: 0,
        end: Math.max(1, l.heldoutLength),
        code: 'heldout-semantic-leak',
        severity: CODES['heldout-semantic-leak'].severity,
        message: `This held-out record says nearly the same as ${trainName} (line ${l.trainLine}; cosine ${l.cosine} ≥ ${threshold} with the embedding model ${basename(s.config.dir)}): rewrite or move one of them, or held-out scores will be inflated.`,
      }));
  } finally {
    await opened.embedder.dispose?.();
  }
}
