/**
 * Agreement between annotators: percent agreement and Cohen's kappa for two annotators' categorical
 * labels (pair decisions), Krippendorff's alpha with the ordinal metric for ranks (two or more
 * annotators, missing values allowed).
 */

export interface PairAgreement {
  readonly items: number;
  readonly percent: number | null;
  readonly kappa: number | null;
}

/** Labels of two annotators keyed by item; only items both labelled count. */
export function cohensKappa(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): PairAgreement {
  const pairs: [string, string][] = [];
  for (const [k, va] of a) {
    const vb = b.get(k);
    if (vb !== undefined) pairs.push([va, vb]);
  }
  const n = pairs.length;
  if (n === 0) return { items: 0, percent: null, kappa: null };
  let agree = 0;
  const ca = new Map<string, number>();
  const cb = new Map<string, number>();
  for (const [x, y] of pairs) {
    if (x === y) agree++;
    ca.set(x, (ca.get(x) ?? 0) + 1);
    cb.set(y, (cb.get(y) ?? 0) + 1);
  }
  const po = agree / n;
  let pe = 0;
  for (const [label, na] of ca) pe += (na / n) * ((cb.get(label) ?? 0) / n);
  const kappa = pe === 1 ? (po === 1 ? 1 : null) : (po - pe) / (1 - pe);
  return { items: n, percent: po, kappa };
}

/**
 * Krippendorff's alpha, ordinal metric. `units[u][c]` is the value coder c gave unit u (a rank, or
 * undefined when missing). Units with fewer than two values are not pairable and are ignored.
 */
export function krippendorffAlphaOrdinal(units: readonly (readonly (number | undefined)[])[]): { alpha: number | null; pairable: number } {
  // the values of pairable units only: an unpaired value takes no part (it made [[1, 1], [2]] null, not 1)
  const paired = units.map((u) => u.filter((v): v is number => v !== undefined)).filter((vals) => vals.length >= 2);
  const values = [...new Set(paired.flat())].sort((x, y) => x - y);
  const idx = new Map(values.map((v, i) => [v, i]));
  const V = values.length;
  const o = Array.from({ length: V }, () => new Array<number>(V).fill(0));
  const pairable = paired.length;
  for (const vals of paired) {
    const m = vals.length;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) if (i !== j) o[idx.get(vals[i]!)!]![idx.get(vals[j]!)!]! += 1 / (m - 1);
  }
  const nc = o.map((row) => row.reduce((s, x) => s + x, 0));
  const n = nc.reduce((s, x) => s + x, 0);
  if (n <= 1 || V < 2) return { alpha: V === 1 && n > 1 ? 1 : null, pairable };
  const delta2 = (c: number, k: number) => {
    const [lo, hi] = c <= k ? [c, k] : [k, c];
    let s = 0;
    for (let g = lo; g <= hi; g++) s += nc[g]!;
    s -= (nc[lo]! + nc[hi]!) / 2;
    return s * s;
  };
  let observed = 0;
  let expected = 0;
  for (let c = 0; c < V; c++) {
    for (let k = 0; k < V; k++) {
      const d = delta2(c, k);
      observed += o[c]![k]! * d;
      expected += nc[c]! * nc[k]! * d;
    }
  }
  if (expected === 0) return { alpha: null, pairable };
  return { alpha: 1 - ((n - 1) * observed) / expected, pairable };
}
