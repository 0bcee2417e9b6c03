/**
 * LLaMA-Factory's dataset registry: a `dataset_info.json` beside the data names each dataset file and
 * says how to read it — `formatting` (alpaca | sharegpt), `ranking` (preference pairs), `columns` (which
 * key of the file holds the prompt, the response, the messages …) and, for ShareGPT, `tags` (the turn
 * keys). When the registry describes a file, it decides the file's format and the key names: the
 * columns become a map from the file's keys to the keys our formats use.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { FormatId } from './formats';

export const DATASET_INFO = 'dataset_info.json';

export interface DatasetInfo {
  /** the registry file */
  readonly source: string;
  /** the dataset's name in it */
  readonly name: string;
  readonly format: FormatId;
  /** the file's key -> the key our format uses (only the keys that differ) */
  readonly keyMap: Readonly<Record<string, string>>;
  /** what does not fit (shown to the user) */
  readonly problems: readonly string[];
  /** ShareGPT turns under other tags than from/value, human/gpt … (the entry's `tags`) */
  readonly turnTags?: TurnTags;
}

/** A registry's ShareGPT tags: the turn's role and content keys, and each role name the file uses -> ours. */
export interface TurnTags {
  readonly role: string;
  readonly content: string;
  /** the file's role name -> the ShareGPT name our checks know (human, gpt, observation, function_call, system) */
  readonly roles: Readonly<Record<string, string>>;
}

/** LLaMA-Factory's tags and their defaults (its data/README): the default names are ours. */
const ROLE_TAGS: Record<string, string> = {
  user_tag: 'human',
  assistant_tag: 'gpt',
  observation_tag: 'observation',
  function_tag: 'function_call',
  system_tag: 'system',
};

/** The entry's tags when they differ from the defaults (ShareGPT formats only); undefined when they do not. */
function turnTagsOf(tags: Record<string, unknown>): TurnTags | undefined {
  const str = (k: string, d: string) => (typeof tags[k] === 'string' && tags[k] !== '' ? (tags[k] as string) : d);
  const role = str('role_tag', 'from');
  const content = str('content_tag', 'value');
  const roles: Record<string, string> = {};
  for (const [tag, ours] of Object.entries(ROLE_TAGS)) {
    const name = str(tag, ours);
    if (name !== ours) roles[name] = ours;
  }
  return role === 'from' && content === 'value' && Object.keys(roles).length === 0 ? undefined : { role, content, roles };
}

/** The role names a file under these tags may use, as LLaMA-Factory reads it: one per tag (user, assistant, observation, function, system). */
export function fileRoleNames(tags: TurnTags): string[] {
  const theirs = new Map(Object.entries(tags.roles).map(([file, ours]) => [ours, file]));
  return Object.values(ROLE_TAGS).map((ours) => theirs.get(ours) ?? ours);
}

/** A ShareGPT turn under the registry's tags, with our keys and role names (a new object; the original is not touched). */
function retagTurn(t: unknown, tags: TurnTags): unknown {
  if (!t || typeof t !== 'object' || Array.isArray(t)) return t;
  const out = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(t as Record<string, unknown>)) {
    const key = k === tags.role ? 'from' : k === tags.content ? 'value' : k === 'from' || k === 'value' ? `(${k})` : k;
    out[key] = key === 'from' && typeof v === 'string' && Object.prototype.hasOwnProperty.call(tags.roles, v) ? tags.roles[v] : v;
  }
  return out;
}

/** The record's ShareGPT turns (conversations, and LLaMA-Factory's chosen / rejected turns) read under the registry's tags. */
export function retagTurns(rec: Record<string, unknown>, tags: TurnTags): Record<string, unknown> {
  const out = Object.assign(Object.create(null), rec) as Record<string, unknown>;
  if (Array.isArray(rec.conversations)) out.conversations = rec.conversations.map((t) => retagTurn(t, tags));
  for (const k of ['chosen', 'rejected']) if (k in rec) out[k] = retagTurn(rec[k], tags);
  return out;
}

type Entry = {
  file_name?: unknown;
  formatting?: unknown;
  ranking?: unknown;
  columns?: Record<string, unknown>;
  tags?: Record<string, unknown>;
};

const cache = new Map<string, { mtime: number; json: unknown }>();

function readRegistry(path: string): unknown {
  let mtime: number;
  try {
    mtime = statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
  const hit = cache.get(path);
  if (hit && hit.mtime === mtime) return hit.json;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    json = null; // an unreadable registry decides nothing
  }
  cache.set(path, { mtime, json });
  return json;
}

/** The entry naming this file: its file_name is the file, or a folder that holds it. */
function entryFor(registry: Record<string, unknown>, dir: string, file: string): [string, Entry] | undefined {
  for (const [name, e] of Object.entries(registry)) {
    if (!e || typeof e !== 'object') continue;
    const fileName = (e as Entry).file_name;
    if (typeof fileName !== 'string') continue;
    const target = join(dir, fileName);
    if (target === file) return [name, e as Entry];
    const rel = relative(target, file);
    if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) return [name, e as Entry];
  }
  return undefined;
}

/** Our key for each LLaMA-Factory column, per format. */
function canonicalColumns(format: FormatId): Record<string, string> {
  switch (format) {
    case 'alpaca':
      return {
        prompt: 'instruction',
        query: 'input',
        response: 'output',
        history: 'history',
        system: 'system',
        kto_tag: 'kto_tag',
        images: 'images',
        videos: 'videos',
        audios: 'audios',
      };
    case 'preference':
      // alpaca ranking: the instruction is the prompt; the query (input) is kept as metadata
      return { prompt: 'prompt', chosen: 'chosen', rejected: 'rejected' };
    case 'language-modeling':
      return {
        prompt: 'text',
        messages: 'messages',
        system: 'system',
        tools: 'tools',
        kto_tag: 'kto_tag',
        images: 'images',
        videos: 'videos',
        audios: 'audios',
      };
    case 'sharegpt':
    case 'sharegpt-preference':
      return {
        messages: 'conversations',
        system: 'system',
        tools: 'tools',
        chosen: 'chosen',
        rejected: 'rejected',
        kto_tag: 'kto_tag',
        images: 'images',
        videos: 'videos',
        audios: 'audios',
      };
    default:
      return {};
  }
}

/** The default file key of each column (LLaMA-Factory's data/README). */
const DEFAULT_COLUMNS: Record<string, string> = { prompt: 'instruction', query: 'input', response: 'output', messages: 'conversations' };

/** How LLaMA-Factory will read `dataPath`, when a dataset_info.json beside it (or above, for a folder entry) registers it. */
export function datasetInfoFor(dataPath: string): DatasetInfo | undefined {
  // the registry sits in the data folder; a file_name may be a folder, so look one level up too
  for (let dir = dirname(dataPath), depth = 0; depth < 2; depth++, dir = dirname(dir)) {
    const source = join(dir, DATASET_INFO);
    if (!existsSync(source)) continue;
    const registry = readRegistry(source);
    if (!registry || typeof registry !== 'object' || Array.isArray(registry)) return undefined;
    const found = entryFor(registry as Record<string, unknown>, dir, dataPath);
    if (!found) continue;
    return describe(source, found[0], found[1]);
  }
  return undefined;
}

function describe(source: string, name: string, e: Entry): DatasetInfo {
  const problems: string[] = [];
  const sharegpt = e.formatting === 'sharegpt';
  const ranking = e.ranking === true;
  const columns: Record<string, string> = {};
  for (const [k, v] of Object.entries(e.columns ?? {})) if (typeof v === 'string') columns[k] = v;
  const tags = e.tags ?? {};
  const openaiTags = tags.role_tag === 'role' || tags.content_tag === 'content';
  let format: FormatId;
  if (sharegpt) {
    format = ranking ? 'sharegpt-preference' : openaiTags ? 'language-modeling' : 'sharegpt';
    if (ranking && openaiTags)
      problems.push(`${basename(source)}: "${name}" is a ranking set with role/content tags; its turns are checked as ShareGPT (from/value) turns`);
  } else if (ranking) {
    format = 'preference';
  } else if (columns.prompt !== undefined && columns.response === undefined && columns.query === undefined) {
    format = 'language-modeling'; // pre-training: {"text": ...}
  } else {
    format = 'alpaca';
  }
  const canonical = canonicalColumns(format);
  const keyMap: Record<string, string> = {};
  const fileKeys: Record<string, string> = { ...(format === 'alpaca' || format === 'preference' ? DEFAULT_COLUMNS : {}), ...columns };
  if (format === 'sharegpt' || format === 'sharegpt-preference' || format === 'language-modeling') fileKeys.messages ??= 'conversations';
  for (const [column, fileKey] of Object.entries(fileKeys)) {
    const ours = canonical[column];
    if (ours !== undefined && ours !== fileKey) keyMap[fileKey] = ours;
  }
  if (format === 'preference' && fileKeys.query !== undefined) keyMap[fileKeys.query] = HIDDEN;
  const turnTags = format === 'sharegpt' || format === 'sharegpt-preference' ? turnTagsOf(tags) : undefined;
  return { source, name, format, keyMap, problems, ...(turnTags ? { turnTags } : {}) };
}

/** keyMap's value for a column the format has no key for (alpaca ranking's query): kept as metadata. */
export const HIDDEN = '';

/** The record with its keys renamed as the registry says (a new object; the original is not touched). */
export function renameKeys(rec: Record<string, unknown>, keyMap: Readonly<Record<string, string>>): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(rec)) {
    const to = Object.prototype.hasOwnProperty.call(keyMap, k) ? keyMap[k]! : k;
    out[to === HIDDEN ? `(${k})` : to] = rec[k];
  }
  return out;
}

const reversed = new WeakMap<object, Record<string, string>>();
/** Our key -> the file's key, for placing a diagnostic on the key the file has. */
export function fileKeyOf(keyMap: Readonly<Record<string, string>>): Record<string, string> {
  let r = reversed.get(keyMap);
  if (!r) {
    r = Object.create(null) as Record<string, string>;
    for (const [from, to] of Object.entries(keyMap)) r[to === HIDDEN ? `(${from})` : to] = from;
    reversed.set(keyMap, r);
  }
  return r;
}
