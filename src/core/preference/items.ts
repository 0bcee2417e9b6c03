/**
 * What the ranking panel labels. Pair mode: every preference record (TRL explicit/implicit, standard
 * or conversational; OpenAI preference). Ranking mode: rows {"prompt", "completions": [...]}, or
 * prompt-completion rows grouped by their prompt. Items hold line numbers, not records: the panel
 * parses only the record it shows.
 */
import { createHash } from 'node:crypto';
import { detectFormat } from '../formats/formats';
import { canonicalJson, contentId } from '../records/identity';

export type Mode = 'pair' | 'ranking';

export interface Item {
  /** identity of what is labelled: the record's content id, or the prompt group's */
  readonly id: string;
  /** 1-based lines: one for a pair or a completions row, several for a prompt group */
  readonly lines: readonly number[];
}

export interface Items {
  readonly mode: Mode;
  readonly items: Item[];
  /** lines that are no item of this mode (other formats, invalid JSON) */
  readonly skipped: number;
}

function parse(t: string): Record<string, unknown> | undefined {
  if (!t.trim()) return undefined;
  try {
    const v = JSON.parse(t);
    return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function buildItems(lines: readonly string[]): Items {
  let pairs = 0, completionRows = 0, promptCompletion = 0, records = 0;
  const parsed = lines.map((t) => {
    const r = parse(t);
    if (!r) return undefined;
    records++;
    const f = detectFormat(r)?.format;
    if (f === 'preference' || f === 'openai-preference') pairs++;
    else if (Array.isArray(r.completions) && 'prompt' in r) completionRows++;
    else if (f === 'prompt-completion') promptCompletion++;
    return { r, f };
  });
  const mode: Mode = pairs >= completionRows + promptCompletion ? 'pair' : 'ranking';
  const items: Item[] = [];
  const groups = new Map<string, number[]>();
  parsed.forEach((p, i) => {
    if (!p) return;
    if (mode === 'pair') {
      // a record with a side missing (a misspelt key) is for the validator, not for labelling
      const c = p.f === 'preference' || p.f === 'openai-preference' ? pairContent(lines[i]!) : undefined;
      if (c && c.chosen !== undefined && c.rejected !== undefined) items.push({ id: contentId(p.r), lines: [i + 1] });
    } else if (Array.isArray(p.r.completions) && 'prompt' in p.r) {
      items.push({ id: contentId(p.r), lines: [i + 1] });
    } else if (p.f === 'prompt-completion') {
      const key = canonicalJson(p.r.prompt);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(i + 1);
    }
  });
  for (const [key, g] of groups) {
    if (g.length < 2) continue;
    // a group is named by its prompt and its candidates, so adding a candidate makes a new item
    const candidates = g.map((l) => contentId(parsed[l - 1]!.r)).sort();
    items.push({ id: createHash('sha256').update(key + '\u0000' + candidates.join(',')).digest('hex').slice(0, 16), lines: g });
  }
  if (mode === 'ranking') items.sort((a, b) => a.lines[0]! - b.lines[0]!);
  return { mode, items, skipped: records - items.reduce((s, it) => s + it.lines.length, 0) };
}

export interface PairContent {
  readonly prompt: unknown;
  readonly chosen: unknown;
  readonly rejected: unknown;
  readonly openai: boolean;
}

export function pairContent(line: string): PairContent | undefined {
  const r = parse(line);
  if (!r) return undefined;
  if ('preferred_output' in r) return { prompt: (r.input as Record<string, unknown> | undefined)?.messages, chosen: r.preferred_output, rejected: r.non_preferred_output, openai: true };
  if ('chosen' in r) return { prompt: r.prompt, chosen: r.chosen, rejected: r.rejected, openai: false };
  return undefined;
}

export function rankingContent(lines: readonly string[]): { prompt: unknown; candidates: unknown[] } | undefined {
  const rs = lines.map(parse);
  if (rs.some((r) => !r)) return undefined;
  if (rs.length === 1 && Array.isArray(rs[0]!.completions)) return { prompt: rs[0]!.prompt, candidates: rs[0]!.completions as unknown[] };
  return { prompt: rs[0]!.prompt, candidates: rs.map((r) => r!.completion) };
}

/** Show the rejected response on the left for about half the records, the same way every time. */
export function showSwapped(id: string, annotator: string): boolean {
  return createHash('sha256').update(`${annotator}\u0000${id}`).digest()[0]! >= 128;
}
