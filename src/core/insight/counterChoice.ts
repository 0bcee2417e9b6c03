/**
 * Which token counter the Dataset Report and `ftstudio stats` use. MERGE POINT: with
 * src/core/insight/tokenCounter.ts (exact counts with the model's own tokenizer) this becomes
 * `return loadTokenCounter({ model, workspaceRoot })`; until then, the estimate.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { estimateCounter, type TokenCounter } from './estimateCounter';

/** The model named by finetune.json (a hub id or a path relative to it), when there is one. */
export function configuredModel(configPath: string | undefined): { model?: string; workspaceRoot?: string } {
  if (!configPath) return {};
  try {
    const model = (JSON.parse(readFileSync(configPath, 'utf8')) as { model?: unknown }).model;
    return { model: typeof model === 'string' ? model : undefined, workspaceRoot: dirname(configPath) };
  } catch {
    return {}; // an unreadable finetune.json is reported where it is read for validation
  }
}

export async function tokenCounterFor(configPath: string | undefined): Promise<TokenCounter> {
  void configuredModel(configPath); // read by loadTokenCounter once exact counts land
  return estimateCounter();
}
