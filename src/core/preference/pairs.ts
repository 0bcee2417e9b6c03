/**
 * Rankings -> TRL preference pairs. A ranked row is {"prompt": P, "ranked": [best, ..., worst]}; an
 * element that is a list of candidates is a tie group (no pair inside it). A candidate is a string or,
 * in conversational data, a list of turns ({"role": ...}). Output rows are explicit-prompt preference
 * records {"prompt", "chosen", "rejected"}.
 */
export const STRATEGIES = ['all-pairs', 'best-vs-rest', 'best-vs-worst'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface PreferencePair {
  readonly prompt: unknown;
  readonly chosen: unknown;
  readonly rejected: unknown;
}

export class RankedRowError extends Error {}

const isTurn = (x: unknown) => x !== null && typeof x === 'object' && !Array.isArray(x) && typeof (x as Record<string, unknown>).role === 'string';
/** A conversational candidate is a non-empty list of turns; any other list is a tie group. */
export const isTurnList = (x: unknown): boolean => Array.isArray(x) && x.length > 0 && x.every(isTurn);

function isCandidate(x: unknown): boolean {
  return typeof x === 'string' || isTurnList(x);
}

/** The ranked groups of a row, best first; throws RankedRowError with what is wrong. */
export function rankedGroups(row: unknown): { prompt: unknown; groups: unknown[][] } {
  if (!row || typeof row !== 'object' || Array.isArray(row)) throw new RankedRowError('expected an object {"prompt": ..., "ranked": [best, ..., worst]}');
  const r = row as Record<string, unknown>;
  if (!('prompt' in r)) throw new RankedRowError('missing "prompt"');
  if (typeof r.prompt !== 'string' && !isTurnList(r.prompt)) throw new RankedRowError('"prompt" must be a string or a list of turns');
  if (!Array.isArray(r.ranked)) throw new RankedRowError('missing "ranked": a list of candidates, best first');
  const groups = r.ranked.map((el, i) => {
    if (isCandidate(el)) return [el];
    if (Array.isArray(el) && el.length > 0 && el.every(isCandidate)) return el as unknown[];
    throw new RankedRowError(`ranked[${i}] is neither a candidate (a string or a list of turns) nor a tie group of candidates`);
  });
  const conversational = isTurnList(r.prompt);
  for (const g of groups) {
    for (const c of g) {
      if (isTurnList(c) !== conversational)
        throw new RankedRowError(
          conversational ? 'a conversational prompt needs candidates that are lists of turns' : 'a string prompt needs string candidates',
        );
    }
  }
  return { prompt: r.prompt, groups };
}

export function derivePairs(row: unknown, strategy: Strategy): PreferencePair[] {
  const { prompt, groups } = rankedGroups(row);
  const out: PreferencePair[] = [];
  if (groups.length < 2) return out;
  const push = (better: readonly unknown[], worse: readonly unknown[]) => {
    for (const chosen of better) for (const rejected of worse) out.push({ prompt, chosen, rejected });
  };
  switch (strategy) {
    case 'all-pairs':
      for (let i = 0; i < groups.length; i++) for (let j = i + 1; j < groups.length; j++) push(groups[i]!, groups[j]!);
      break;
    case 'best-vs-rest':
      for (let j = 1; j < groups.length; j++) push(groups[0]!, groups[j]!);
      break;
    case 'best-vs-worst':
      push(groups[0]!, groups[groups.length - 1]!);
      break;
  }
  return out;
}
