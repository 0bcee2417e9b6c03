/**
 * What the model learns, from the trainer itself: runs `python -m ftstudio_trainer tokens` (the bundled
 * trainer's own tokenization: chat template, masks, truncation) on the first records of the training file
 * and returns its document. Used by `ftstudio tokens` and "Preview Training Tokens". The program runs
 * without a shell, in its own process group, and ends on cancel or after a time limit: never a hang.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenPreview } from '../../protocol/tokens';
import type { TrainingConfig } from './config';
import { TrainingProcess } from './launcher';
import { trainerConfig } from './train';

export const DEFAULT_PREVIEW_RECORDS = 5;
/** the trainer's own limit (trainer/ftstudio_trainer/tokens.py MAX_RECORDS) */
export const MAX_PREVIEW_RECORDS = 50;
/** importing transformers on a busy laptop takes tens of seconds; a hub download of a tokenizer more */
export const PREVIEW_TIMEOUT_MS = 180_000;

export type TokenPreviewErrorKind = 'usage' | 'interpreter' | 'packages' | 'model' | 'data' | 'config' | 'trainer' | 'timeout' | 'cancelled';

export class TokenPreviewError extends Error {
  constructor(
    readonly kind: TokenPreviewErrorKind,
    message: string,
    /** what to do about it */
    readonly hint: string,
    /** the dataset line it is about */
    readonly line?: number,
  ) {
    super(message);
  }
}

export interface TokenPreviewOptions {
  readonly config: TrainingConfig;
  readonly python: string;
  /** folder holding the bundled trainer package (ftstudio_trainer) */
  readonly trainerDir: string;
  readonly records?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** every line the interpreter prints (for a log) */
  readonly onLine?: (line: string) => void;
}

const SETUP_HINT =
  'set up the training environment in one step (`ftstudio setup`, or "Finetune Studio: Set Up Training Environment"), or name an interpreter that has the packages ("python" in finetune.json)';

function hintFor(kind: string, o: TokenPreviewOptions): string {
  switch (kind) {
    case 'packages':
      return SETUP_HINT;
    case 'model':
      return `check "model" in ${o.config.path}: a folder with the tokenizer's files (tokenizer.json, tokenizer_config.json) or a Hugging Face model id this machine can download`;
    case 'data':
      return `fix the record (\`ftstudio validate ${o.config.data.train}\` lists what is wrong with the file)`;
    default:
      return `check ${o.config.path}`;
  }
}

/** The trainer's document: the preview, or its error. */
function parseDocument(text: string): { preview?: TokenPreview; error?: { kind: string; message: string; line?: number } } | undefined {
  try {
    const v = JSON.parse(text) as { records?: unknown; error?: { kind?: unknown; message?: unknown; line?: unknown } };
    if (Array.isArray(v?.records)) return { preview: v as TokenPreview };
    if (v?.error && typeof v.error.message === 'string')
      return { error: { kind: String(v.error.kind), message: v.error.message, line: typeof v.error.line === 'number' ? v.error.line : undefined } };
  } catch {
    /* not written, or cut short */
  }
  return undefined;
}

export async function previewTokens(o: TokenPreviewOptions): Promise<TokenPreview> {
  const records = o.records ?? DEFAULT_PREVIEW_RECORDS;
  if (!Number.isInteger(records) || records < 1 || records > MAX_PREVIEW_RECORDS)
    throw new TokenPreviewError(
      'usage',
      `the number of records must be a whole number from 1 to ${MAX_PREVIEW_RECORDS}, got ${records}`,
      'ask for fewer records',
    );
  if (o.signal?.aborted) throw new TokenPreviewError('cancelled', 'cancelled', '');
  const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-tokens-'));
  try {
    const configPath = join(tmp, 'trainer-config.json');
    const out = join(tmp, 'tokens.json');
    writeFileSync(configPath, JSON.stringify(trainerConfig(o.config, join(tmp, 'output'), join(tmp, 'events.jsonl'))));
    const argv = [o.python, '-m', 'ftstudio_trainer', 'tokens', '--config', configPath, '--records', String(records), '--out', out];
    const lines: string[] = [];
    let spawnError: string | undefined;
    const { PYTHONHOME: _h, ...env } = process.env;
    const proc = new TrainingProcess(argv, {
      cwd: o.config.dir,
      env: { ...env, PYTHONPATH: [o.trainerDir, process.env.PYTHONPATH].filter(Boolean).join(':'), PYTHONUNBUFFERED: '1', TOKENIZERS_PARALLELISM: 'false' },
      sigintMs: 1_000,
      sigtermMs: 1_000,
      onLine: (line) => {
        if (line.startsWith(`failed to start ${o.python}: `)) spawnError = line;
        lines.push(line);
        if (lines.length > 200) lines.shift();
        o.onLine?.(line);
      },
    });
    let timedOut = false;
    const timeoutMs = o.timeoutMs ?? PREVIEW_TIMEOUT_MS;
    const timer = setTimeout(() => {
      timedOut = true;
      void proc.cancel();
    }, timeoutMs);
    const abort = () => void proc.cancel();
    o.signal?.addEventListener('abort', abort, { once: true });
    const exit = await proc.exited.finally(() => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', abort);
    });
    if (timedOut)
      throw new TokenPreviewError(
        'timeout',
        `the trainer's tokenizer did not finish within ${Math.round(timeoutMs / 1000)} s (loading the tokenizer of ${o.config.model})`,
        `check that "model" in ${o.config.path} is a local folder, or a Hugging Face id this machine can download, then try again`,
      );
    if (exit.cancelled || o.signal?.aborted) throw new TokenPreviewError('cancelled', 'cancelled', '');
    if (spawnError)
      throw new TokenPreviewError('interpreter', `the Python interpreter ${o.python} was not found`, `install Python 3.10 or newer, or ${SETUP_HINT}`);
    let text = '';
    try {
      text = readFileSync(out, 'utf8');
    } catch {
      /* the trainer did not get as far as writing it */
    }
    const doc = parseDocument(text);
    if (doc?.preview) {
      const e = doc.preview.error;
      return e ? { ...doc.preview, error: { ...e, kind: 'data', line: e.line ?? null, hint: hintFor('data', o) } } : doc.preview;
    }
    if (doc?.error) {
      const kind = (['packages', 'model', 'data', 'config'] as const).find((k) => k === doc.error!.kind) ?? 'trainer';
      throw new TokenPreviewError(kind, doc.error.message, hintFor(kind, o), doc.error.line);
    }
    const said = lines.map((l) => l.trim()).filter(Boolean);
    const last = said.filter((l) => /Error|error:/.test(l)).pop() ?? said.pop() ?? `exit ${exit.code ?? exit.signal}`;
    if (/SyntaxError|ModuleNotFoundError: No module named 'ftstudio_trainer'/.test(said.join('\n')))
      throw new TokenPreviewError('interpreter', `${o.python} cannot run the bundled trainer: ${last}`, `use Python 3.10 or newer: ${SETUP_HINT}`);
    throw new TokenPreviewError(
      'trainer',
      `the trainer's tokenizer failed (${o.python}): ${last}`,
      'run `ftstudio tokens` in a terminal to see everything the interpreter prints',
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** When the project trains with its own command: the preview is the bundled trainer's, not that command's. */
export function previewNote(c: TrainingConfig): string | null {
  return c.trainerCommand
    ? `${c.path} runs your own trainer (trainer.command): this preview shows how the bundled trainer tokenizes the records; your trainer may render and mask them differently.`
    : null;
}
