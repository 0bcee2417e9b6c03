/** Agreement of a dataset's annotators, from its annotation log. */
import { cohensKappa, krippendorffAlphaOrdinal } from './agreement';
import type { AnnotationEvent } from './annotationStore';
import { currentAnnotations } from './annotationStore';

export interface AgreementReport {
  readonly annotators: string[];
  /** pair decisions: every two annotators (skips and flags left out) */
  readonly pairs: { readonly a: string; readonly b: string; readonly items: number; readonly percentAgreement: number | null; readonly kappa: number | null }[];
  /** rankings: Krippendorff's alpha (ordinal) over (record, candidate) units */
  readonly rankings: { readonly units: number; readonly alpha: number | null } | null;
}

export function agreementReport(events: readonly AnnotationEvent[]): AgreementReport {
  const current = currentAnnotations(events);
  const annotators = [...current.keys()].sort();
  const pairLabels = new Map<string, Map<string, string>>();
  const rankings = new Map<string, Map<string, readonly (number | null)[]>>();
  for (const who of annotators) {
    const labels = new Map<string, string>();
    const ranks = new Map<string, readonly (number | null)[]>();
    for (const [id, e] of current.get(who)!) {
      if (e.kind === 'pair' && e.choice && e.choice !== 'skip' && e.choice !== 'flag') labels.set(id, e.choice);
      if (e.kind === 'ranking' && e.ranks) ranks.set(id, e.ranks);
    }
    pairLabels.set(who, labels);
    rankings.set(who, ranks);
  }
  const pairs: AgreementReport['pairs'][number][] = [];
  for (let i = 0; i < annotators.length; i++) {
    for (let j = i + 1; j < annotators.length; j++) {
      const a = annotators[i]!,
        b = annotators[j]!;
      const r = cohensKappa(pairLabels.get(a)!, pairLabels.get(b)!);
      if (r.items > 0) pairs.push({ a, b, items: r.items, percentAgreement: r.percent, kappa: r.kappa });
    }
  }
  const units: (number | undefined)[][] = [];
  const ids = new Set(annotators.flatMap((w) => [...rankings.get(w)!.keys()]));
  for (const id of ids) {
    const width = Math.max(...annotators.map((w) => rankings.get(w)!.get(id)?.length ?? 0));
    for (let c = 0; c < width; c++) units.push(annotators.map((w) => rankings.get(w)!.get(id)?.[c] ?? undefined));
  }
  const alpha = units.length ? krippendorffAlphaOrdinal(units) : null;
  return { annotators, pairs, rankings: alpha ? { units: alpha.pairable, alpha: alpha.alpha } : null };
}
