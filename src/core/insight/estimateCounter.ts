/**
 * The token estimate used when no tokenizer is at hand: 4 characters a token (the validator's
 * `too-long` rule), total over the record's text, trained over its assistant / completion side.
 * The TokenCounter interface is the one src/core/insight/tokenCounter.ts (exact counts with the
 * model's own tokenizer) implements; `loadTokenCounter` there returns this estimate when no tokenizer is found.
 */
import type { FormatId } from '../formats/formats';
import { recordText } from './recordText';

export interface TokenCounts {
  readonly total: number;
  readonly trained: number;
}

export interface TokenCounter {
  readonly source: 'tokenizer' | 'estimate';
  readonly description: string;
  count(record: unknown, format: string): TokenCounts;
}

export const CHARS_PER_TOKEN = 4;

export function estimateCounter(): TokenCounter {
  return {
    source: 'estimate',
    description: `estimate: ${CHARS_PER_TOKEN} characters a token (no tokenizer)`,
    count(record: unknown, format: string): TokenCounts {
      if (!record || typeof record !== 'object' || Array.isArray(record)) return { total: 0, trained: 0 };
      const t = recordText(record as Record<string, unknown>, (format || undefined) as FormatId | undefined);
      const prompt = Math.ceil(t.prompt.length / CHARS_PER_TOKEN);
      const trained = Math.ceil(t.completion.length / CHARS_PER_TOKEN);
      return { total: prompt + trained, trained };
    },
  };
}
