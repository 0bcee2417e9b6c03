/**
 * The facts of every line of a file, in columns. The dataset checks walk all lines on each
 * keystroke; typed arrays keep that walk in a few contiguous blocks of memory instead of 100,000
 * scattered objects (measured: 11 ms → well under 1 ms for 100,000 lines). The same columns cross
 * from a worker thread to the main thread as transferable buffers.
 */
import { LineFacts, type TemplateFact } from './analyzeLine';
import type { LineDiagnostic } from './diagnostic';

const NONE: readonly LineDiagnostic[] = Object.freeze([]);
const RECORD = 1;

/** Columns as plain data: what a worker posts back. */
export interface PackedLines {
  readonly count: number;
  readonly lens: Int32Array;
  readonly flags: Uint8Array;
  readonly variant: Int32Array;
  readonly sig: Int32Array;
  readonly tStart: Int32Array;
  readonly tEnd: Int32Array;
  readonly hash: Float64Array;
  readonly strings: readonly string[];
  /** [line, diagnostics] for the lines that have any */
  readonly diagnostics: readonly [number, readonly LineDiagnostic[]][];
}

function grow<T extends Int32Array | Uint8Array | Float64Array>(a: T, size: number): T {
  const b = new (a.constructor as { new (n: number): T })(size);
  b.set(a);
  return b;
}

export class LineTable {
  length = 0;
  lens = new Int32Array(64);
  flags = new Uint8Array(64);
  /** string ids; -1 = none */
  variant = new Int32Array(64);
  sig = new Int32Array(64);
  tStart = new Int32Array(64);
  tEnd = new Int32Array(64);
  /** NaN = none */
  hash = new Float64Array(64);
  diags: (readonly LineDiagnostic[])[] = [];
  readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();

  intern(s: string | undefined): number {
    if (s === undefined) return -1;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.ids.set(s, id);
    }
    return id;
  }

  idOf(s: string | undefined): number {
    return s === undefined ? -1 : (this.ids.get(s) ?? -2);
  }

  /** Room for n lines in every column. */
  reserve(n: number): void {
    if (n <= this.lens.length) return;
    let cap = this.lens.length;
    while (cap < n) cap *= 2;
    this.lens = grow(this.lens, cap);
    this.flags = grow(this.flags, cap);
    this.variant = grow(this.variant, cap);
    this.sig = grow(this.sig, cap);
    this.tStart = grow(this.tStart, cap);
    this.tEnd = grow(this.tEnd, cap);
    this.hash = grow(this.hash, cap);
  }

  private set(i: number, f: LineFacts): void {
    this.lens[i] = f.len;
    this.flags[i] = f.record ? RECORD : 0;
    this.variant[i] = this.intern(f.variant);
    this.sig[i] = this.intern(f.template?.sig);
    this.tStart[i] = f.template?.start ?? 0;
    this.tEnd[i] = f.template?.end ?? 0;
    this.hash[i] = f.hash ?? NaN;
    this.diags[i] = f.diagnostics.length ? f.diagnostics : NONE;
  }

  /** The facts of line i, rebuilt from the columns. */
  at(i: number): LineFacts {
    const s = this.sig[i]!;
    const h = this.hash[i]!;
    const template: TemplateFact | undefined = s < 0 ? undefined : { sig: this.strings[s]!, start: this.tStart[i]!, end: this.tEnd[i]! };
    const v = this.variant[i]!;
    return new LineFacts(
      this.lens[i]!,
      (this.flags[i]! & RECORD) !== 0,
      v < 0 ? undefined : this.strings[v],
      Number.isNaN(h) ? undefined : h,
      template,
      this.diags[i]!,
    );
  }

  isRecord(i: number): boolean {
    return (this.flags[i]! & RECORD) !== 0;
  }

  /** Replace `deleteCount` lines at `start` with `facts`. */
  splice(start: number, deleteCount: number, facts: readonly LineFacts[]): void {
    const delta = facts.length - deleteCount;
    const tail = start + deleteCount;
    if (delta !== 0) {
      this.reserve(this.length + delta);
      for (const col of [this.lens, this.flags, this.variant, this.sig, this.tStart, this.tEnd, this.hash])
        col.copyWithin(start + facts.length, tail, this.length);
      this.diags.splice(start, deleteCount, ...new Array<readonly LineDiagnostic[]>(facts.length).fill(NONE));
      this.length += delta;
    }
    for (let k = 0; k < facts.length; k++) this.set(start + k, facts[k]!);
  }

  push(f: LineFacts): void {
    this.reserve(this.length + 1);
    this.diags.push(NONE);
    this.set(this.length++, f);
  }

  /** Append a worker's columns (its string ids are remapped into this table's). */
  appendPacked(p: PackedLines): void {
    const base = this.length;
    this.reserve(base + p.count);
    const remap = p.strings.map((s) => this.intern(s));
    this.lens.set(p.lens.subarray(0, p.count), base);
    this.flags.set(p.flags.subarray(0, p.count), base);
    this.tStart.set(p.tStart.subarray(0, p.count), base);
    this.tEnd.set(p.tEnd.subarray(0, p.count), base);
    this.hash.set(p.hash.subarray(0, p.count), base);
    for (let i = 0; i < p.count; i++) {
      const v = p.variant[i]!;
      const s = p.sig[i]!;
      this.variant[base + i] = v < 0 ? -1 : remap[v]!;
      this.sig[base + i] = s < 0 ? -1 : remap[s]!;
      this.diags.push(NONE);
    }
    for (const [line, ds] of p.diagnostics) this.diags[base + line] = ds;
    this.length += p.count;
  }

  /** The columns, trimmed, for posting to another thread. */
  pack(): PackedLines {
    const n = this.length;
    const diagnostics: [number, readonly LineDiagnostic[]][] = [];
    for (let i = 0; i < n; i++) if (this.diags[i]!.length) diagnostics.push([i, this.diags[i]!]);
    return {
      count: n,
      lens: this.lens.slice(0, n),
      flags: this.flags.slice(0, n),
      variant: this.variant.slice(0, n),
      sig: this.sig.slice(0, n),
      tStart: this.tStart.slice(0, n),
      tEnd: this.tEnd.slice(0, n),
      hash: this.hash.slice(0, n),
      strings: [...this.strings],
      diagnostics,
    };
  }
}

export function transferList(p: PackedLines): ArrayBuffer[] {
  return [p.lens, p.flags, p.variant, p.sig, p.tStart, p.tEnd, p.hash].map((a) => a.buffer as ArrayBuffer);
}
