/**
 * Near-duplicate records of a dataset (MinHash + LSH, minhash.ts and lsh.ts) and of a held-out file
 * against its training file: the clusters, and diagnostics placed on the lines. A record's text is
 * its prompt and its trained side (recordText.ts). Exact repeats are left to the `duplicate` check:
 * each distinct content is signed once.
 */
import { CODES } from '../checks/codes';
import type { Diagnostic } from '../checks/diagnostic';
import { contentHash } from '../records/identity';
import { PERMUTATIONS, Permutations, signInto } from './minhash';
import { DEFAULT_THRESHOLD, nearDuplicateClusters, nearMatches, type Signatures } from './lsh';
import { parseRecord, recordText } from './recordText';

/** Above this many records an open document's near-duplicates are not recomputed on every keystroke. */
export const LIVE_NEAR_DUPLICATE_LIMIT = 5_000;

const PERMS = new Permutations();

export function recordShingleText(rec: Record<string, unknown>): string {
  const t = recordText(rec);
  return t.prompt + '\n' + t.completion;
}

/** Signatures in a growable flat array, with the 0-based line of each. */
export class SignatureSet implements Signatures {
  count = 0;
  sigs = new Uint16Array(PERMUTATIONS * 64);
  has = new Uint8Array(64);
  lines = new Int32Array(64);
  /** UTF-16 length of each record's line (the diagnostics' range) */
  lens = new Int32Array(64);

  private grow(): void {
    const cap = this.has.length * 2;
    const sigs = new Uint16Array(cap * PERMUTATIONS);
    sigs.set(this.sigs);
    const has = new Uint8Array(cap);
    has.set(this.has);
    const lines = new Int32Array(cap);
    lines.set(this.lines);
    const lens = new Int32Array(cap);
    lens.set(this.lens);
    Object.assign(this, { sigs, has, lines, lens });
  }

  /** Sign a text (the record on 0-based `line`); a text without words gets no signature. */
  add(text: string, line: number, len = 0): void {
    this.signAt(this.reserve(line, len), text);
  }

  /** A place for the record on `line`, without a signature yet (signAt or putSignatures fill it). */
  reserve(line: number, len = 0): number {
    if (this.count === this.has.length) this.grow();
    const i = this.count++;
    this.lines[i] = line;
    this.lens[i] = len;
    this.has[i] = 0;
    return i;
  }

  signAt(i: number, text: string): void {
    this.has[i] = signInto(text, PERMS, this.sigs, i * PERMUTATIONS) ? 1 : 0;
  }

  /** Signatures computed elsewhere (a worker thread) for places start, start + 1, … */
  putSignatures(start: number, sigs: Uint16Array, has: Uint8Array): void {
    this.sigs.set(sigs, start * PERMUTATIONS);
    this.has.set(has, start);
  }

  /** Append a signature computed before (a cache). */
  addSignature(sig: Uint16Array | undefined, line: number, len = 0): void {
    if (this.count === this.has.length) this.grow();
    const i = this.count++;
    this.lines[i] = line;
    this.lens[i] = len;
    if (sig) this.sigs.set(sig, i * PERMUTATIONS);
    this.has[i] = sig ? 1 : 0;
  }

  signatureOf(i: number): Uint16Array | undefined {
    return this.has[i] ? this.sigs.slice(i * PERMUTATIONS, (i + 1) * PERMUTATIONS) : undefined;
  }
}

/** Clusters as indices into the set. */
export function clusters(set: SignatureSet, threshold = DEFAULT_THRESHOLD, signal?: AbortSignal): number[][] {
  return nearDuplicateClusters(set, { threshold, signal });
}

/** Clusters as 0-based lines. */
export function lineClusters(set: SignatureSet, threshold = DEFAULT_THRESHOLD, signal?: AbortSignal): number[][] {
  return clusters(set, threshold, signal).map((c) => c.map((i) => set.lines[i]!));
}

/** `near-duplicate` on each member after the first, pointing at the first (clusters of indices into the set). */
export function nearDuplicateDiagnostics(set: SignatureSet, found: readonly (readonly number[])[], threshold = DEFAULT_THRESHOLD): Diagnostic[] {
  const out: Diagnostic[] = [];
  const pct = Math.round(threshold * 100);
  const lenOf = (line: number) => lenByLine.get(line) ?? 0;
  const lenByLine = new Map<number, number>();
  for (const c of found) for (const i of c) lenByLine.set(set.lines[i]!, set.lens[i]!);
  for (const members of found) {
    const c = members.map((i) => set.lines[i]!);
    const first = c[0]!;
    for (const line of c.slice(1)) {
      out.push({
        line,
        start: 0,
        end: lenOf(line),
        code: 'near-duplicate',
        severity: CODES['near-duplicate'].severity,
        message: `Near-duplicate of the record on line ${first + 1} (≥ ${pct}% of their word 5-grams shared; a cluster of ${c.length}): keep one, or make them differ.`,
        related: [{ line: first, start: 0, end: lenOf(first), message: 'First record of the cluster' }],
      });
    }
  }
  return out;
}

const one = new SignatureSet();

/** The signature of one record (undefined: no words). */
export function signRecord(rec: Record<string, unknown>): Uint16Array | undefined {
  one.count = 0;
  one.add(recordShingleText(rec), 0);
  return one.signatureOf(0);
}

/**
 * Sign the records of lines (an editor's document), each distinct content once. `hashOf(i)` is the
 * content hash of line i when known (NaN: not a record), so that a cached signature needs no parse;
 * the cache (content hash -> signature) is pruned to the records still present.
 */
export function signLines(
  lines: readonly string[],
  cache: Map<number, Uint16Array | null> = new Map(),
  hashOf?: (i: number) => number,
): { set: SignatureSet; cache: Map<number, Uint16Array | null> } {
  const set = new SignatureSet();
  const next = new Map<number, Uint16Array | null>();
  for (let i = 0; i < lines.length; i++) {
    let h = hashOf ? hashOf(i) : NaN;
    let rec: Record<string, unknown> | undefined;
    if (!hashOf) {
      rec = parseRecord(lines[i]!);
      if (!rec) continue;
      h = contentHash(rec);
    } else if (Number.isNaN(h)) continue;
    if (next.has(h)) continue;
    let sig = cache.get(h);
    if (sig === undefined) {
      rec ??= parseRecord(lines[i]!);
      sig = rec ? (signRecord(rec) ?? null) : null;
    }
    next.set(h, sig);
    set.addSignature(sig ?? undefined, i, lines[i]!.length);
  }
  return { set, cache: next };
}

/** `heldout-near-leak` on held-out records that nearly repeat a training record (and are not exact or prompt leaks). */
export function nearLeakDiagnostics(
  heldout: SignatureSet,
  train: SignatureSet,
  trainName: string,
  skip: ReadonlySet<number>,
  threshold = DEFAULT_THRESHOLD,
): Diagnostic[] {
  const match = nearMatches(heldout, train, threshold);
  const out: Diagnostic[] = [];
  for (let q = 0; q < heldout.count; q++) {
    const line = heldout.lines[q]!;
    if (match[q] === -1 || skip.has(line)) continue;
    const trainLine = train.lines[match[q]!]! + 1;
    out.push({
      line,
      start: 0,
      end: heldout.lens[q]!,
      code: 'heldout-near-leak',
      severity: CODES['heldout-near-leak'].severity,
      message: `This held-out record nearly repeats ${trainName} (line ${trainLine}; ≥ ${Math.round(threshold * 100)}% of word 5-grams shared): rewrite or move one of them, or held-out scores will be inflated.`,
    });
  }
  return out;
}
