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

/** Records looked at to decide the mode; small files are indexed whole at once. */
const MODE_SAMPLE = 200;
const EAGER_LINES = 5000;

function kindOf(r: Record<string, unknown>): 'pair' | 'completions' | 'prompt-completion' | undefined {
  const f = detectFormat(r)?.format;
  if (f === 'preference' || f === 'openai-preference') return 'pair';
  if (Array.isArray(r.completions) && 'prompt' in r) return 'completions';
  if (f === 'prompt-completion') return 'prompt-completion';
  return undefined;
}

/** The mode of a file, from its first records (MODE_SAMPLE of them). */
export function modeOf(lines: Iterable<string>): { mode: Mode; grouped: boolean } {
  let pairs = 0,
    completionRows = 0,
    promptCompletion = 0,
    seen = 0;
  for (const t of lines) {
    if (seen >= MODE_SAMPLE) break;
    const r = parse(t);
    if (!r) continue;
    seen++;
    const k = kindOf(r);
    if (k === 'pair') pairs++;
    else if (k === 'completions') completionRows++;
    else if (k === 'prompt-completion') promptCompletion++;
  }
  const mode: Mode = pairs >= completionRows + promptCompletion ? 'pair' : 'ranking';
  return { mode, grouped: mode === 'ranking' && promptCompletion > completionRows };
}

/** Records a mode needs before it can decide (the streaming indexer buffers this many lines at most). */
export const MODE_SAMPLE_RECORDS = MODE_SAMPLE;

/**
 * Lines in, items out, one line at a time: what both the in-memory ProgressiveItems and the file
 * indexer (core/indexing) run, so that an item's id is the same whichever way the file was read.
 * Ranking by shared prompts must see every line: its items come out of finish().
 */
export class ItemIndexer {
  skipped = 0;
  private readonly groups?: Map<string, { lines: number[]; ids: string[] }>;

  constructor(
    readonly mode: Mode,
    readonly grouped: boolean,
  ) {
    if (grouped) this.groups = new Map();
  }

  /** The item a 1-based line makes, if any (none in grouped mode until finish). */
  push(text: string, line: number): Item | undefined {
    const r = parse(text);
    if (!r) return undefined;
    const k = kindOf(r);
    if (this.groups) {
      if (k !== 'prompt-completion') {
        this.skipped++;
        return undefined;
      }
      const key = canonicalJson(r.prompt);
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { lines: [], ids: [] }));
      g.lines.push(line);
      g.ids.push(contentId(r));
      return undefined;
    }
    const wanted = this.mode === 'pair' ? k === 'pair' && bothSides(r) : k === 'completions';
    if (wanted) return { id: contentId(r), lines: [line] };
    this.skipped++;
    return undefined;
  }

  /** The prompt groups (grouped mode), in order of their first line; [] otherwise. */
  finish(): Item[] {
    if (!this.groups) return [];
    const out: Item[] = [];
    for (const [key, g] of this.groups) {
      if (g.lines.length < 2) {
        this.skipped++;
        continue;
      }
      // a group is named by its prompt and its candidates, so adding a candidate makes a new item
      out.push({
        id: createHash('sha256')
          .update(key + '\u0000' + [...g.ids].sort().join(','))
          .digest('hex')
          .slice(0, 16),
        lines: g.lines,
      });
    }
    this.groups.clear();
    return out.sort((a, b) => a.lines[0]! - b.lines[0]!);
  }
}

/**
 * Items found as they are needed: the first item of a 100,000-pair file is ready after parsing its
 * first lines, not the whole file; the rest is indexed in steps (the panel runs them in the
 * background). Ranking by shared prompts must see every line and is indexed at once.
 */
export class ProgressiveItems implements Items {
  readonly mode: Mode;
  readonly items: Item[] = [];
  done = false;
  private nextLine = 0;
  private readonly indexer: ItemIndexer;

  constructor(readonly lines: readonly string[]) {
    const { mode, grouped } = modeOf(lines);
    this.mode = mode;
    this.indexer = new ItemIndexer(mode, grouped);
    if (grouped) {
      lines.forEach((t, i) => this.indexer.push(t, i + 1));
      this.items.push(...this.indexer.finish());
      this.nextLine = lines.length;
      this.done = true;
    } else if (lines.length <= EAGER_LINES) this.step(lines.length);
  }

  get skipped(): number {
    return this.indexer.skipped;
  }

  /** Item k, scanning forward as far as needed; undefined past the end. */
  ensure(k: number): Item | undefined {
    while (!this.done && this.items.length <= k) this.step(256);
    return this.items[k];
  }

  /** Index up to `budget` more lines; true when the whole file is indexed. */
  step(budget: number): boolean {
    const end = Math.min(this.lines.length, this.nextLine + budget);
    for (let i = this.nextLine; i < end; i++) {
      const it = this.indexer.push(this.lines[i]!, i + 1);
      if (it) this.items.push(it);
    }
    this.nextLine = end;
    this.done = end >= this.lines.length;
    return this.done;
  }

  complete(): this {
    while (!this.done) this.step(10_000);
    return this;
  }
}

/** A record with a side missing (a misspelt key) is for the validator, not for labelling. */
function bothSides(r: Record<string, unknown>): boolean {
  return ('chosen' in r && 'rejected' in r) || ('preferred_output' in r && 'non_preferred_output' in r);
}

/** Every item of a file (export, tests). */
export function buildItems(lines: readonly string[]): Items {
  return new ProgressiveItems(lines).complete();
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
  if ('preferred_output' in r)
    return { prompt: (r.input as Record<string, unknown> | undefined)?.messages, chosen: r.preferred_output, rejected: r.non_preferred_output, openai: true };
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
