/**
 * Which token counter the Dataset Report and `ftstudio stats` use: finetune.json's model's own tokenizer
 * and chat template when they are on this machine (tokenCounter.ts), else the estimate, saying why.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadTokenCounter, type TokenCounter } from '../tokens/tokenCounter';

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
  return loadTokenCounter(configuredModel(configPath));
}
