/** `ftstudio tokens [--config finetune.json] [--records N] [--json]`: the first records as the trainer tokenizes them. */
import { dirname, relative, resolve } from 'node:path';
import { defaultEnvironmentDir } from '../core/python/environment';
import { describeInterpreter, resolveInterpreter } from '../core/python/interpreter';
import { DEFAULT_PREVIEW_RECORDS, MAX_PREVIEW_RECORDS, previewNote, previewTokens, TokenPreviewError } from '../core/training/tokenPreview';
import type { PreviewRecord, TokenPreview } from '../protocol/tokens';
import { parseArgs, UsageError } from './args';
import { loadConfigOrUsage } from './configArg';
import { bundledTrainerDir } from './trainCommand';
import type { Io } from './validateCommand';

const HELP = `usage: ftstudio tokens [--config finetune.json] [--records N] [--json]
The first N records of the training file rendered and tokenized by the bundled trainer itself (its chat
template, its masks, truncation at maxSeqLength), with the trained tokens marked [[like this]].
  --records N   how many records (default ${DEFAULT_PREVIEW_RECORDS}, at most ${MAX_PREVIEW_RECORDS}); only these are read
  --json        one document: {"records": [{"line", "tokens": [{"id", "text", "trained"}], "trained", "total", "truncated", …}], …}
The interpreter is the one training uses ("python" in finetune.json, else the managed environment of
\`ftstudio setup\`, else python3); only the tokenizer is loaded, not the weights.
exit status: 0 ok, 1 a record the trainer cannot tokenize, 2 usage, configuration or environment problem`;

/** Control characters other than newline and tab shown as their Unicode pictures: dataset text cannot drive the terminal. */
function visible(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, (c) => String.fromCodePoint(c === '\u007f' ? 0x2421 : 0x2400 + c.charCodeAt(0)));
}

export function renderRecord(r: PreviewRecord, file: string, maxSeqLength: number, color: boolean): string {
  const mark = color ? ['\u001b[4;32m', '\u001b[0m'] : ['[[', ']]'];
  let body = '';
  let inSpan = false;
  for (const t of r.tokens) {
    if (t.dropped) break;
    if (t.trained !== inSpan) {
      body += t.trained ? mark[0] : mark[1];
      inSpan = t.trained;
    }
    body += visible(t.text);
  }
  if (inSpan) body += mark[1];
  const head = `${file}:${r.line}${r.part ? ` (${r.part})` : ''}: ${r.trained} of ${r.total} tokens trained`;
  const notes: string[] = [];
  if (r.truncated) {
    const lost = r.droppedTrained ? `, ${r.droppedTrained} of them would be trained` : '';
    notes.push(`✂ cut at maxSeqLength ${maxSeqLength}: ${r.length - r.total} more tokens dropped${lost}`);
  }
  if (r.skipped) notes.push('the trainer skips this record: nothing left to train');
  return [head, body, ...notes].join('\n');
}

export function renderPreview(p: TokenPreview, file: string, color: boolean): string {
  const parts = p.records.map((r) => renderRecord(r, file, p.maxSeqLength, color));
  const trained = p.records.reduce((a, r) => a + r.trained, 0);
  const total = p.records.reduce((a, r) => a + r.total, 0);
  const lines = new Set(p.records.map((r) => r.line)).size;
  const truncated = p.records.filter((r) => r.truncated).length;
  const template = p.template === 'plain' ? "the trainer's plain template (the tokenizer has no chat template)" : "the tokenizer's chat template";
  parts.push(
    `${lines} record${lines === 1 ? '' : 's'} (${p.method}, ${template}, maxSeqLength ${p.maxSeqLength}): ${trained} of ${total} tokens trained` +
      (total ? ` (${((100 * trained) / total).toFixed(1)}%)` : '') +
      (truncated ? `; ${truncated} truncated` : ''),
  );
  return parts.join('\n\n');
}

export async function tokensCommand(argv: readonly string[], io: Io, color = !!process.stdout.isTTY && !process.env.NO_COLOR): Promise<number> {
  const args = parseArgs(argv, { values: ['config', 'records'], booleans: ['json', 'help'] });
  if (args.flags.has('help')) {
    io.out(HELP);
    return 0;
  }
  if (args.positional.length) throw new UsageError(`tokens takes no file argument (got ${args.positional[0]}): name finetune.json with --config`);
  const raw = args.flags.get('records');
  const records = raw === undefined ? DEFAULT_PREVIEW_RECORDS : Number(raw);
  if (!Number.isInteger(records) || records < 1 || records > MAX_PREVIEW_RECORDS)
    throw new UsageError(`--records must be a whole number from 1 to ${MAX_PREVIEW_RECORDS}, got ${String(raw)}`);
  const path = resolve(typeof args.flags.get('config') === 'string' ? (args.flags.get('config') as string) : 'finetune.json');
  const config = loadConfigOrUsage(path);
  const json = args.flags.has('json');
  const interpreter = await resolveInterpreter({ configPython: config.python, configDir: dirname(path), managedDirs: [defaultEnvironmentDir()] });
  io.err(`interpreter ${describeInterpreter(interpreter)}`);
  const note = previewNote(config);
  if (note) io.err(`note: ${note}`);
  try {
    const preview = await previewTokens({ config, python: interpreter.python, trainerDir: bundledTrainerDir(), records });
    if (json) io.out(JSON.stringify(preview));
    else {
      const rel = relative(process.cwd(), preview.file);
      io.out(renderPreview(preview, rel && !rel.startsWith('..') ? rel : preview.file, color));
    }
    if (preview.error) io.err(`ftstudio tokens: ${preview.error.message}\n  → ${preview.error.hint}`);
    return preview.error ? 1 : 0;
  } catch (e) {
    if (!(e instanceof TokenPreviewError)) throw e;
    const hint =
      e.kind === 'packages' && interpreter.source === 'finetune.json'
        ? `install them into ${interpreter.python}, or drop "python" from finetune.json and run \`ftstudio setup\``
        : e.hint;
    io.err(`ftstudio tokens: ${e.message}${hint ? `\n  → ${hint}` : ''}`);
    if (json) io.out(JSON.stringify({ error: { kind: e.kind, message: e.message, hint, line: e.line ?? null } }));
    return 2;
  }
}
