/**
 * LineFacts in columns, so that a worker can hand thousands of lines to the main thread as a few
 * transferable typed arrays instead of thousands of cloned objects.
 */
import type { LineFacts } from '../checks/analyzeLine';
import type { LineDiagnostic } from '../checks/diagnostic';

export interface PackedFacts {
  readonly count: number;
  readonly lens: Int32Array;
  readonly flags: Uint8Array; // 1 = record
  readonly variant: Int16Array; // index in strings, -1 = none
  readonly hash: Float64Array; // NaN = none
  readonly sig: Int32Array; // index in strings, -1 = none
  readonly tStart: Int32Array;
  readonly tEnd: Int32Array;
  readonly strings: string[];
  readonly diagnostics: [number, readonly LineDiagnostic[]][];
}

export function packFacts(facts: readonly LineFacts[]): PackedFacts {
  const n = facts.length;
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string) => {
    let id = ids.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      ids.set(s, id);
    }
    return id;
  };
  const p: PackedFacts = {
    count: n,
    lens: new Int32Array(n), flags: new Uint8Array(n), variant: new Int16Array(n), hash: new Float64Array(n),
    sig: new Int32Array(n), tStart: new Int32Array(n), tEnd: new Int32Array(n), strings, diagnostics: [],
  };
  for (let i = 0; i < n; i++) {
    const f = facts[i]!;
    p.lens[i] = f.len;
    p.flags[i] = f.record ? 1 : 0;
    p.variant[i] = f.variant === undefined ? -1 : intern(f.variant);
    p.hash[i] = f.hash === undefined ? NaN : f.hash;
    p.sig[i] = f.template ? intern(f.template.sig) : -1;
    p.tStart[i] = f.template?.start ?? 0;
    p.tEnd[i] = f.template?.end ?? 0;
    if (f.diagnostics.length) p.diagnostics.push([i, f.diagnostics]);
  }
  return p;
}

export function transferList(p: PackedFacts): ArrayBuffer[] {
  return [p.lens, p.flags, p.variant, p.hash, p.sig, p.tStart, p.tEnd].map((a) => a.buffer as ArrayBuffer);
}

const NONE: readonly LineDiagnostic[] = Object.freeze([]);

export function unpackFacts(p: PackedFacts): LineFacts[] {
  const out: LineFacts[] = new Array(p.count);
  let d = 0;
  for (let i = 0; i < p.count; i++) {
    let diagnostics = NONE;
    if (d < p.diagnostics.length && p.diagnostics[d]![0] === i) diagnostics = p.diagnostics[d++]![1];
    const v = p.variant[i]!;
    const s = p.sig[i]!;
    const h = p.hash[i]!;
    out[i] = {
      len: p.lens[i]!,
      record: p.flags[i] === 1,
      variant: v < 0 ? undefined : p.strings[v],
      hash: Number.isNaN(h) ? undefined : h,
      template: s < 0 ? undefined : { sig: p.strings[s]!, start: p.tStart[i]!, end: p.tEnd[i]! },
      diagnostics,
    };
  }
  return out;
}
