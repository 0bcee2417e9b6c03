/**
 * Where a model's tokenizer lives on this machine: a local folder (finetune.json's `model` as a path) or a
 * snapshot in the Hugging Face cache (`$HF_HUB_CACHE`, `$HF_HOME/hub`, `~/.cache/huggingface/hub`). Read
 * only; nothing is ever downloaded.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface TokenizerLocation {
  /** the folder holding tokenizer.json */
  readonly dir: string;
  /** how it was found, for messages: "local folder …" or "Hugging Face cache …" */
  readonly how: string;
}

export interface TokenizerLookup {
  readonly model?: string;
  readonly workspaceRoot?: string;
  readonly hfHome?: string;
  /** the environment to read HF_HOME / HF_HUB_CACHE from (process.env by default) */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const hasTokenizer = (dir: string) => existsSync(join(dir, 'tokenizer.json'));

/** The Hugging Face hub cache folders to look in, most specific first. */
export function hubCaches(o: TokenizerLookup): string[] {
  const env = o.env ?? process.env;
  const out: string[] = [];
  if (o.hfHome) out.push(join(o.hfHome, 'hub'));
  if (env.HF_HUB_CACHE) out.push(env.HF_HUB_CACHE);
  if (env.HF_HOME) out.push(join(env.HF_HOME, 'hub'));
  out.push(join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'huggingface', 'hub'));
  return [...new Set(out)];
}

/** The snapshot of `org/name` in a hub cache that has a tokenizer: the one refs/main names, else the newest. */
function snapshotIn(cache: string, model: string): string | undefined {
  const repo = join(cache, `models--${model.split('/').join('--')}`);
  const snapshots = join(repo, 'snapshots');
  if (!existsSync(snapshots)) return undefined;
  try {
    const main = readFileSync(join(repo, 'refs', 'main'), 'utf8').trim();
    if (main && hasTokenizer(join(snapshots, main))) return join(snapshots, main);
  } catch {
    // no refs/main: pick by date below
  }
  let best: { dir: string; t: number } | undefined;
  for (const name of readdirSync(snapshots)) {
    const dir = join(snapshots, name);
    if (!hasTokenizer(dir)) continue;
    const t = statSync(dir).mtimeMs;
    if (!best || t > best.t) best = { dir, t };
  }
  return best?.dir;
}

/** Where the model's tokenizer is, or why it cannot be found (a sentence for the user). */
export function findTokenizer(o: TokenizerLookup): { location: TokenizerLocation } | { missing: string } {
  const model = o.model?.trim();
  if (!model) return { missing: 'no model is set (finetune.json "model")' };
  const local = isAbsolute(model)
    ? model
    : o.workspaceRoot && (model.startsWith('.') || existsSync(join(o.workspaceRoot, model)))
      ? resolve(o.workspaceRoot, model)
      : undefined;
  if (local && existsSync(local)) {
    return hasTokenizer(local) ? { location: { dir: local, how: `local folder ${local}` } } : { missing: `${local} has no tokenizer.json` };
  }
  if (isAbsolute(model) || model.startsWith('.')) return { missing: `the model folder ${local ?? model} does not exist` };
  const caches = hubCaches(o);
  for (const cache of caches) {
    const dir = snapshotIn(cache, model);
    if (dir) return { location: { dir, how: `Hugging Face cache ${dir}` } };
  }
  return { missing: `${model} is not in the Hugging Face cache (${caches.join(', ')}); nothing is downloaded` };
}
