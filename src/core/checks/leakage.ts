/**
 * Leakage between a held-out file and its training file: an exact duplicate, or the same prompt,
 * on both sides. Reported on the held-out file, pointing at the training line.
 */
import { basename, dirname, join, resolve } from 'node:path';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { findConfig } from '../project/projectConfig';
import { CODES } from './codes';
import type { Diagnostic } from './diagnostic';
import { indexLines, refOf, type RecordRef } from '../records/recordIndex';
import { ArraySplitter, type ArrayRecord } from '../jsonl/jsonArray';

/** Names of evaluation splits, as the tools people use write them (mlx: valid/test; HF: validation; ours: heldout). */
const HELDOUT_NAMES = 'heldout|held-out|valid|validation|val|test|eval|dev';
/** valid.jsonl, test.json … (beside train.jsonl) */
const BARE = new RegExp(`^(?:${HELDOUT_NAMES})\\.(jsonl|json)$`, 'i');
/** x.heldout.jsonl, x_test.jsonl, x-valid.json … (beside x.train.jsonl, x_train.jsonl, x-train.json) */
const PREFIXED = new RegExp(`^(.+?)([._-])(?:${HELDOUT_NAMES})\\.(jsonl|json)$`, 'i');

/** data.heldout of the finetune.json above the file, when it names this file: its data.train. */
function configuredPartner(heldoutPath: string): string | undefined {
  const cfg = findConfig(dirname(heldoutPath));
  if (!cfg) return undefined;
  try {
    const data = (JSON.parse(readFileSync(cfg, 'utf8')) as { data?: { train?: unknown; heldout?: unknown } })?.data;
    if (typeof data?.train !== 'string' || typeof data.heldout !== 'string') return undefined;
    if (resolve(dirname(cfg), data.heldout) !== resolve(heldoutPath)) return undefined;
    return resolve(dirname(cfg), data.train);
  } catch {
    return undefined; // an unreadable finetune.json is reported where it is read for validation
  }
}

/**
 * The training file a held-out file is checked against — the one pairing rule every caller uses:
 * data.train of finetune.json when its data.heldout is this file; else by name, in the same folder:
 * valid|validation|val|test|eval|dev|heldout.jsonl beside train.jsonl (mlx, Hugging Face), and
 * x.heldout.jsonl / x_test.jsonl / x-valid.jsonl beside x.train.jsonl / x_train.jsonl / x-train.jsonl
 * (.json arrays alike). Undefined when the partner does not exist.
 */
export function trainPartner(heldoutPath: string): string | undefined {
  const configured = configuredPartner(heldoutPath);
  if (configured !== undefined) return existsSync(configured) && resolve(configured) !== resolve(heldoutPath) ? configured : undefined;
  const name = basename(heldoutPath);
  const dir = dirname(heldoutPath);
  const bare = BARE.exec(name);
  const prefixed = bare ? undefined : PREFIXED.exec(name);
  const candidates = bare
    ? [`train.${bare[1]}`, 'train.jsonl', 'train.json']
    : prefixed
      ? [`${prefixed[1]}${prefixed[2]}train.${prefixed[3]}`, `${prefixed[1]}${prefixed[2]}train.jsonl`, `${prefixed[1]}${prefixed[2]}train.json`]
      : [];
  for (const c of candidates) {
    const p = join(dir, c);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * The other way round: the held-out file whose training partner (trainPartner) is `trainPath`:
 * finetune.json's data.heldout when its data.train is this file, else a held-out name in the same folder.
 */
export function heldoutPartner(trainPath: string): string | undefined {
  const target = resolve(trainPath);
  const cfg = findConfig(dirname(trainPath));
  if (cfg) {
    try {
      const data = (JSON.parse(readFileSync(cfg, 'utf8')) as { data?: { train?: unknown; heldout?: unknown } })?.data;
      if (typeof data?.train === 'string' && typeof data.heldout === 'string' && resolve(dirname(cfg), data.train) === target) {
        const held = resolve(dirname(cfg), data.heldout);
        if (existsSync(held) && held !== target) return held;
      }
    } catch {
      // an unreadable finetune.json is reported where it is read for validation
    }
  }
  let names: string[];
  try {
    names = readdirSync(dirname(target)).sort();
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (!BARE.test(name) && !PREFIXED.test(name)) continue;
    const candidate = join(dirname(target), name);
    if (candidate !== target && trainPartner(candidate) === target) return candidate;
  }
  return undefined;
}

/** One held-out record found in the training file: the very record, or only its prompt. */
export interface Leak {
  readonly kind: 'exact' | 'prompt';
  /** the held-out record */
  readonly heldout: RecordRef;
  /** 1-based line of the training record it leaks into */
  readonly trainLine: number;
}

export function findLeaks(heldout: readonly RecordRef[], train: readonly RecordRef[]): Leak[] {
  const byId = new Map<string, number>();
  const byPrompt = new Map<string, number>();
  for (const r of train) {
    if (!byId.has(r.id)) byId.set(r.id, r.line);
    if (r.promptId && !byPrompt.has(r.promptId)) byPrompt.set(r.promptId, r.line);
  }
  const out: Leak[] = [];
  for (const r of heldout) {
    const same = byId.get(r.id);
    if (same !== undefined) {
      out.push({ kind: 'exact', heldout: r, trainLine: same });
      continue;
    }
    const prompt = r.promptId ? byPrompt.get(r.promptId) : undefined;
    if (prompt !== undefined) out.push({ kind: 'prompt', heldout: r, trainLine: prompt });
  }
  return out;
}

export function leakDiagnostic(leak: Leak, trainName: string): Diagnostic {
  const r = leak.heldout;
  const code = leak.kind === 'exact' ? 'heldout-leak' : 'heldout-prompt-leak';
  return {
    line: r.line - 1,
    start: r.start ?? 0,
    end: (r.start ?? 0) + (r.len ?? 1),
    code,
    severity: CODES[code].severity,
    message:
      leak.kind === 'exact'
        ? `This held-out record is also in ${trainName} (line ${leak.trainLine}): remove it from one side, or held-out scores will be inflated.`
        : `The prompt of this held-out record is also in ${trainName} (line ${leak.trainLine}): keep prompts on one side only.`,
  };
}

export function leakageDiagnostics(heldout: readonly RecordRef[], train: readonly RecordRef[], trainName: string): Diagnostic[] {
  return findLeaks(heldout, train).map((l) => leakDiagnostic(l, trainName));
}

const isJsonArray = (path: string) => /\.json$/i.test(path);

/** The ref of one record of a .json array, placed in the file: a record over several lines is placed on its opening brace. */
function arrayRef(rec: ArrayRecord): RecordRef | undefined {
  const r = refOf(rec.text, rec.line + 1, { withPrompt: true });
  return r && { ...r, start: rec.col, len: rec.breaks.length ? 1 : rec.text.length };
}

/** The records of a .json array held in memory (an open document); a broken array is reported by its own validation. */
function indexArrayText(text: string): RecordRef[] {
  const out: RecordRef[] = [];
  const s = new ArraySplitter(
    (rec) => {
      const r = arrayRef(rec);
      if (r) out.push(r);
    },
    () => {},
  );
  s.feed(text);
  s.end();
  return out;
}

/** The content ids (and prompt ids) of a dataset file's records: JSONL lines, or the records of a .json array. */
async function indexAny(path: string): Promise<RecordRef[]> {
  const { indexFile } = await import('../records/recordIndex');
  if (!isJsonArray(path)) return indexFile(path, { withPrompt: true });
  const { forEachArrayRecord } = await import('../jsonl/jsonArray');
  const out: RecordRef[] = [];
  await forEachArrayRecord(
    path,
    (rec) => {
      const r = arrayRef(rec);
      if (r) out.push(r);
    },
    () => {},
  );
  return out;
}

/** Leakage of a held-out file on disk against its paired training file; none when it has no partner. */
export async function leakageOfFile(heldoutPath: string): Promise<Diagnostic[]> {
  const partner = trainPartner(heldoutPath);
  if (!partner) return [];
  const [held, train] = await Promise.all([indexAny(heldoutPath), indexAny(partner)]);
  return leakageDiagnostics(held, train, basename(partner));
}

const partnerCache = new Map<string, { mtime: number; refs: RecordRef[] }>();

/** The training partner's records (JSONL lines or a .json array), kept until the file changes on disk. */
function partnerRefs(partner: string): RecordRef[] {
  let train = partnerCache.get(partner);
  const mtime = statSync(partner).mtimeMs;
  if (!train || train.mtime !== mtime) {
    const text = readFileSync(partner, 'utf8');
    train = { mtime, refs: isJsonArray(partner) ? indexArrayText(text) : indexLines(text.split('\n'), { withPrompt: true }) };
    partnerCache.set(partner, train);
  }
  return train.refs;
}

/**
 * Leakage of a held-out dataset held in memory (an open document, its lines) against its paired
 * training file on disk (JSONL or a .json array).
 */
export function leakageOfLines(heldoutPath: string, lines: () => readonly string[]): Diagnostic[] {
  const partner = trainPartner(heldoutPath);
  if (!partner) return [];
  return leakageDiagnostics(indexLines(lines(), { withPrompt: true }), partnerRefs(partner), basename(partner));
}

/** The same for a held-out .json array held in memory (its whole text): each leak placed on its record in the file. */
export function leakageOfArrayText(heldoutPath: string, text: () => string): Diagnostic[] {
  const partner = trainPartner(heldoutPath);
  if (!partner) return [];
  return leakageDiagnostics(indexArrayText(text()), partnerRefs(partner), basename(partner));
}
