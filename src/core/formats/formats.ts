/** The dataset formats we know, and how a record's format is detected from its keys. */
export const FORMAT_IDS = [
  'language-modeling',
  'prompt-only',
  'prompt-completion',
  'preference',
  'unpaired-preference',
  'openai-preference',
  'alpaca',
  'sharegpt',
  'sharegpt-preference',
  'stepwise-supervision',
] as const;
export type FormatId = (typeof FORMAT_IDS)[number];

export interface FormatInfo {
  readonly id: FormatId;
  readonly title: string;
  /** keys that every record of the format has (standard / conversational share them) */
  readonly required: readonly string[];
  readonly optional: readonly string[];
  /** keys whose value is a string (standard) or a list of turns (conversational) */
  readonly turnKeys: readonly string[];
  /** 'both' formats come standard or conversational; the others are fixed */
  readonly shape: 'both' | 'conversational' | 'standard';
  readonly example: string;
}

/** LLaMA-Factory's KTO signal on a whole conversation: `label` in its demo files, `kto_tag` in its docs. */
export const KTO_KEYS = ['label', 'kto_tag'] as const;
/** LLaMA-Factory's multimodal columns: one `<image>` (`<video>`, `<audio>`) placeholder in the text per entry. */
export const MEDIA_KEYS = ['images', 'videos', 'audios'] as const;

export const FORMATS: Record<FormatId, FormatInfo> = {
  'language-modeling': {
    id: 'language-modeling',
    title: 'Language modeling (TRL) / OpenAI chat',
    // parallel_tool_calls: OpenAI's chat fine-tuning; label / kto_tag: LLaMA-Factory's KTO on whole conversations
    required: [],
    optional: ['text', 'messages', 'tools', 'parallel_tool_calls', ...KTO_KEYS, ...MEDIA_KEYS],
    turnKeys: [],
    shape: 'both',
    example: '{"text": "..."} or {"messages": [{"role": "user", ...}, {"role": "assistant", ...}]}',
  },
  'prompt-only': {
    id: 'prompt-only',
    title: 'Prompt-only (TRL)',
    required: ['prompt'],
    optional: ['tools'],
    turnKeys: ['prompt'],
    shape: 'both',
    example: '{"prompt": "..."}',
  },
  'prompt-completion': {
    id: 'prompt-completion',
    title: 'Prompt-completion (TRL)',
    required: ['prompt', 'completion'],
    optional: ['tools'],
    turnKeys: ['prompt', 'completion'],
    shape: 'both',
    example: '{"prompt": "...", "completion": "..."}',
  },
  preference: {
    id: 'preference',
    title: 'Preference (TRL, DPO): explicit or implicit prompt',
    required: ['chosen', 'rejected'],
    optional: ['prompt', 'tools'],
    turnKeys: ['prompt', 'chosen', 'rejected'],
    shape: 'both',
    example: '{"prompt": "...", "chosen": "...", "rejected": "..."}',
  },
  'unpaired-preference': {
    id: 'unpaired-preference',
    title: 'Unpaired preference (TRL, KTO)',
    required: ['prompt', 'completion', 'label'],
    optional: ['tools'],
    turnKeys: ['prompt', 'completion'],
    shape: 'both',
    example: '{"prompt": "...", "completion": "...", "label": true}',
  },
  'openai-preference': {
    id: 'openai-preference',
    title: 'OpenAI preference (DPO)',
    required: ['input', 'preferred_output', 'non_preferred_output'],
    optional: [],
    turnKeys: [],
    shape: 'conversational',
    example: '{"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output": [...]}',
  },
  alpaca: {
    id: 'alpaca',
    title: 'Alpaca',
    required: ['instruction', 'output'],
    optional: ['input', 'system', 'history', 'kto_tag', ...MEDIA_KEYS],
    turnKeys: [],
    shape: 'standard',
    example: '{"instruction": "...", "input": "", "output": "..."}',
  },
  sharegpt: {
    id: 'sharegpt',
    title: 'ShareGPT',
    required: ['conversations'],
    optional: ['system', 'tools', ...KTO_KEYS, ...MEDIA_KEYS],
    turnKeys: [],
    shape: 'conversational',
    example: '{"conversations": [{"from": "human", "value": "..."}, {"from": "gpt", "value": "..."}]}',
  },
  'sharegpt-preference': {
    id: 'sharegpt-preference',
    title: 'ShareGPT preference (LLaMA-Factory ranking)',
    required: ['conversations', 'chosen', 'rejected'],
    optional: ['system', 'tools', ...MEDIA_KEYS],
    turnKeys: [],
    shape: 'conversational',
    example: '{"conversations": [{"from": "human", "value": "..."}], "chosen": {"from": "gpt", "value": "..."}, "rejected": {"from": "gpt", "value": "..."}}',
  },
  'stepwise-supervision': {
    id: 'stepwise-supervision',
    title: 'Stepwise supervision (TRL, PRM)',
    required: ['prompt', 'completions', 'labels'],
    optional: [],
    turnKeys: [],
    shape: 'standard',
    example: '{"prompt": "...", "completions": ["step 1", "step 2"], "labels": [true, false]}',
  },
};

/** Every top-level key that some format gives a meaning to. */
export const FORMAT_KEYS: ReadonlySet<string> = new Set(Object.values(FORMATS).flatMap((f) => [...f.required, ...f.optional]));

export interface Detected {
  readonly format: FormatId;
  readonly conversational: boolean;
  /** true when the keys matched a format exactly; false when it is a best guess from similar keys */
  readonly exact: boolean;
}

const has = (o: Record<string, unknown>, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Conversational when the format's turn-bearing fields hold lists of turns. */
function isConversational(format: FormatId, o: Record<string, unknown>): boolean {
  const shape = FORMATS[format].shape;
  if (shape !== 'both') return shape === 'conversational';
  if (format === 'language-modeling') return !has(o, 'text') && has(o, 'messages');
  for (const k of FORMATS[format].turnKeys) if (has(o, k)) return Array.isArray(o[k]);
  return false;
}

function exactFormat(o: Record<string, unknown>): FormatId | undefined {
  if (has(o, 'conversations') && has(o, 'chosen') && has(o, 'rejected')) return 'sharegpt-preference';
  if (has(o, 'chosen') && has(o, 'rejected')) return 'preference';
  if (has(o, 'preferred_output') || has(o, 'non_preferred_output')) return 'openai-preference';
  if (has(o, 'conversations')) return 'sharegpt';
  if (has(o, 'instruction') && has(o, 'output')) return 'alpaca';
  if (has(o, 'prompt') && has(o, 'completion')) return has(o, 'label') ? 'unpaired-preference' : 'prompt-completion';
  if (has(o, 'prompt') && has(o, 'completions')) return 'stepwise-supervision';
  if (has(o, 'messages') || has(o, 'text')) return 'language-modeling';
  if (has(o, 'prompt') && !has(o, 'chosen') && !has(o, 'rejected') && !has(o, 'completion')) {
    // a prompt with a misspelt completion/chosen is no prompt-only record: let the fuzzy match decide
    const keys = Object.keys(o);
    if (!keys.some((k) => k !== 'prompt' && nearestKey(k, ['completion', 'chosen', 'rejected', 'label']))) return 'prompt-only';
  }
  return undefined;
}

/** The best-matching format for keys that match none exactly (misspellings, missing keys). */
function fuzzyFormat(o: Record<string, unknown>): FormatId | undefined {
  const keys = Object.keys(o);
  let best: FormatId | undefined;
  let bestScore = 0;
  for (const id of FORMAT_IDS) {
    const f = FORMATS[id];
    const wanted = id === 'language-modeling' ? ['text', 'messages'] : [...f.required, ...(id === 'preference' ? ['prompt'] : [])];
    let score = 0;
    for (const w of wanted) {
      if (has(o, w)) score += 2;
      else if (keys.some((k) => !FORMAT_KEYS.has(k) && isNear(k, w))) score += 1.5;
    }
    // prefer the format that explains the most keys with the fewest missing
    const missing = wanted.filter((w) => !has(o, w)).length;
    const s = score - missing * 0.25 - (id === 'language-modeling' ? 1.5 : 0);
    if (score > 0 && s > bestScore) {
      best = id;
      bestScore = s;
    }
  }
  return best;
}

export function detectFormat(o: Record<string, unknown>): Detected | undefined {
  const exact = exactFormat(o);
  const format = exact ?? fuzzyFormat(o);
  if (!format) return undefined;
  return { format, conversational: isConversational(format, o), exact: exact !== undefined };
}

const VARIANT_KEYS = Object.fromEntries(FORMAT_IDS.map((f) => [f, [f, `${f}:conversational`]])) as Record<FormatId, [string, string]>;

/** "preference" or "preference:conversational" (interned: no string is built per line). */
export function variantKey(format: FormatId, conversational: boolean): string {
  return VARIANT_KEYS[format][conversational ? 1 : 0];
}

export function describeVariant(d: { format: string; conversational: boolean }): string {
  // golden and safety sets (src/core/eval) are variants without a FORMATS entry
  const shape = (FORMATS as Record<string, FormatInfo | undefined>)[d.format]?.shape === 'both' ? (d.conversational ? 'conversational ' : 'standard ') : '';
  return `${shape}${d.format}`;
}

/** Optimal-string-alignment distance (a swap of two neighbours costs 1), bounded: max+1 once exceeded. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prevPrev: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prevPrev[j - 2]! + 1);
      cur.push(v);
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    prevPrev = prev;
    prev = cur;
  }
  return prev[b.length]!;
}

/** How far a misspelt key may be from the key it means: 2 edits, 1 for short keys. */
const keyTypoLimit = (target: string): number => (target.length <= 4 ? 1 : 2);

/** Close enough to be a misspelling: case-insensitive, within keyTypoLimit. */
export function isNear(candidate: string, target: string): boolean {
  if (candidate === target) return false;
  const a = candidate.toLowerCase().trim();
  const b = target.toLowerCase();
  if (a === b) return true;
  const limit = keyTypoLimit(target);
  return editDistance(a, b, limit) <= limit;
}

/**
 * The candidate nearest to `word` by edit distance, case-insensitive and trimmed, when within the
 * candidate's `limit`; the first of equals wins. The one search behind "did you mean" for keys and roles.
 */
export function nearest(word: string, candidates: readonly string[], limit: (candidate: string) => number): string | undefined {
  const w = word.toLowerCase().trim();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const max = limit(c);
    const d = editDistance(w, c.toLowerCase(), max);
    if (d <= max && d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

/** The target key `candidate` is a misspelling of (see isNear), if any. */
export function nearestKey(candidate: string, targets: readonly string[]): string | undefined {
  return nearest(
    candidate,
    targets.filter((t) => t !== candidate),
    keyTypoLimit,
  );
}

/** ShareGPT speaker names (as LLaMA-Factory and FastChat use them) and the role each stands for. */
export const SHAREGPT_ROLES: Record<string, string> = {
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  system: 'system',
  function_call: 'assistant',
  observation: 'tool',
  tool: 'tool',
};
