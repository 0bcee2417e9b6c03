/** `ftstudio validate [--format F] [--schema S] [--json] FILE...` */
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { CODES } from '../core/checks/codes';
import type { FileReport } from '../core/checks/datasetModel';
import { FORMAT_IDS, type FormatId } from '../core/formats/formats';
import { SchemaError } from '../core/checks/schemaCheck';
import { resolveValidationOptions, type PlainOptions } from '../core/validation/options';
import { NEAR_DUPLICATE_AUTO_RECORDS, runsNearDuplicates, validateDataset } from '../core/validation/validateDataset';
import { findConfig, readValidationConfig } from '../core/project/projectConfig';
import { EVAL_FORMAT_IDS, isEvalFormat, type EvalFormatId } from '../core/formats/evalSets';
import { datasetInfoFor } from '../core/formats/llamaFactory';
import { numberFlag, parseArgs, UsageError } from './args';
import type { SemanticValidation } from '../core/validation/semanticChecks';

export const VALIDATE_USAGE = `usage: ftstudio validate [--format F] [--schema S] [--json] [--max-tokens N] [--min-records N] [--workers N] [--near-duplicates] [--embeddings DIR] FILE...
  --format F       force a format: ${[...FORMAT_IDS, ...EVAL_FORMAT_IDS].join(', ')} (default: detected per file, or finetune.json data.format)
  --schema S       a JSON Schema (draft 2020-12) that replaces the built-in format schemas
  --json           one JSON document on stdout
  --max-tokens N   records above N tokens get a warning (default: finetune.json training.maxSeqLength, else 4096); counted
                   with finetune.json's model tokenizer when it is on this machine, else estimated at 4 characters a token
  --min-records N  fewer records than N is reported (default 200; 0 turns it off)
  --workers N      threads for files of 8 MB or more (default: the cores, at most 4; 1 = one thread)
  --near-duplicates  the near-duplicate pass on every file (default: files of at most ${NEAR_DUPLICATE_AUTO_RECORDS.toLocaleString('en-US')} records;
                   larger ones are named on stderr: their near-duplicates are in ftstudio stats)
  --embeddings DIR a local embedding model (model.onnx + tokenizer.json): held-out files get heldout-semantic-leak
                   (default: finetune.json embeddings.model, threshold embeddings.threshold, else 0.95; none: not checked)
exit status: 0 no errors, 1 errors found, 2 usage or I/O problem`;

export interface Io {
  out(s: string): void;
  err(s: string): void;
}

function checkReadable(file: string): void {
  let st;
  try {
    st = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
  if (st.isDirectory()) throw new UsageError(`cannot validate ${file}: it is a directory (pass the .jsonl files inside it)`);
  try {
    closeSync(openSync(file, 'r'));
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
  }
}

export function jsonDiagnostic(d: FileReport['diagnostics'][number]) {
  return { line: d.line + 1, column: d.start + 1, endLine: d.line + 1, endColumn: d.end + 1, severity: d.severity, code: d.code, message: d.message };
}

/** heldout-semantic-leak's model: --embeddings, else finetune.json's embeddings.model; none: not checked (loaded only then). */
async function semanticValidation(flag: unknown, config: ReturnType<typeof readValidationConfig> | undefined, io: Io): Promise<SemanticValidation | undefined> {
  const explicit = typeof flag === 'string' ? flag : undefined;
  if (!explicit && !config?.embeddings?.model) return undefined;
  const { embeddingModelChoice } = await import('../core/insight/embeddings');
  const choice = embeddingModelChoice({ explicit, project: config?.embeddings?.model, trusted: true });
  if ('off' in choice) {
    if (explicit) throw new UsageError(`--embeddings: ${choice.off.replace(/^semantic checks are off: /, '')}`);
    io.err(`ftstudio: warning: ${choice.off}`);
    return undefined;
  }
  const told = new Set<string>();
  return {
    config: { ...choice, threshold: config?.embeddings?.threshold },
    onProblem: (m) => {
      if (!told.has(m)) io.err(`ftstudio: warning: ${m}`);
      told.add(m);
    },
  };
}

export async function validateCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, {
    values: ['format', 'schema', 'max-tokens', 'min-records', 'workers', 'embeddings'],
    booleans: ['json', 'help', 'near-duplicates'],
  });
  if (args.flags.has('help')) {
    io.out(VALIDATE_USAGE);
    return 0;
  }
  if (args.positional.length === 0) throw new UsageError('validate needs at least one FILE');
  const fmt = args.flags.get('format');
  if (fmt !== undefined && !(FORMAT_IDS as readonly string[]).includes(String(fmt)) && !isEvalFormat(String(fmt))) {
    throw new UsageError(`--format must be one of ${[...FORMAT_IDS, ...EVAL_FORMAT_IDS].join(', ')}, got ${String(fmt)}`);
  }
  let schema: PlainOptions['schema'];
  const schemaPath = args.flags.get('schema');
  if (typeof schemaPath === 'string') {
    let text: string;
    try {
      text = readFileSync(schemaPath, 'utf8');
    } catch (e) {
      throw new UsageError(`cannot read schema ${schemaPath}: ${(e as Error).message}`);
    }
    try {
      schema = { source: schemaPath, json: JSON.parse(text) };
    } catch (e) {
      throw new UsageError(`schema ${schemaPath} is not valid JSON: ${(e as Error).message}`);
    }
  }
  const configPath = findConfig(process.cwd());
  const config = configPath ? readValidationConfig(configPath) : undefined;
  for (const p of config?.problems ?? []) io.err(`ftstudio: warning: ${p}`);
  const explicit = {
    format: fmt as FormatId | EvalFormatId | undefined,
    maxTokens: args.flags.has('max-tokens') ? numberFlag(args, 'max-tokens', 0, 1) : undefined,
    minRecords: args.flags.has('min-records') ? numberFlag(args, 'min-records', 0, 0) : undefined,
  };
  const workers = numberFlag(args, 'workers', 0, 0) || undefined;
  for (const f of args.positional) checkReadable(f);
  const semantic = await semanticValidation(args.flags.get('embeddings'), config, io);

  const reports: { file: string; report: FileReport }[] = [];
  for (const file of args.positional) {
    try {
      // a LLaMA-Factory dataset_info.json that registers the file decides its format and key names (--format still wins)
      const info = datasetInfoFor(resolve(file));
      for (const p of info?.problems ?? []) io.err(`ftstudio: warning: ${p}`);
      const fileOptions = resolveValidationOptions({ path: file, explicit, registry: info, project: config, schema }).options;
      const nearDuplicates = args.flags.has('near-duplicates') ? true : 'auto';
      const report = await validateDataset(resolve(file), fileOptions, { workers, nearDuplicates, semantic });
      if (fileOptions.nearDuplicateThreshold !== 0 && !runsNearDuplicates(nearDuplicates, report.records))
        io.err(
          `ftstudio: note: ${file}: near-duplicates not checked (${report.records.toLocaleString('en-US')} records, over ${NEAR_DUPLICATE_AUTO_RECORDS.toLocaleString('en-US')}): add --near-duplicates, or run ftstudio stats`,
        );
      reports.push({ file, report });
    } catch (e) {
      if (e instanceof SchemaError) throw new UsageError(e.message);
      throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
    }
  }
  let errors = 0,
    warnings = 0,
    infos = 0;
  for (const { report } of reports) {
    errors += report.errors;
    warnings += report.warnings;
    infos += report.infos;
  }
  if (args.flags.has('json')) {
    io.out(
      JSON.stringify({
        files: reports.map(({ file, report }) => ({
          file,
          format: report.format,
          conversational: report.conversational,
          records: report.records,
          diagnostics: report.diagnostics.map(jsonDiagnostic),
        })),
      }),
    );
  } else {
    for (const { file, report } of reports) {
      for (const d of report.diagnostics) io.out(`${file}:${d.line + 1}:${d.start + 1}: ${d.severity} ${d.code} ${d.message}`);
    }
    for (const { file, report } of reports) {
      const fmt = report.format ? `${report.conversational ? 'conversational ' : ''}${report.format}` : 'unknown format';
      io.out(`${file}: ${fmt}, ${report.records} records, ${report.errors} errors, ${report.warnings} warnings, ${report.infos} infos`);
    }
    io.out(`${reports.length} file${reports.length === 1 ? '' : 's'}: ${errors} errors, ${warnings} warnings, ${infos} infos`);
  }
  return errors > 0 ? 1 : 0;
}

export function codesTable(): string {
  return Object.entries(CODES)
    .map(([code, c]) => `${code.padEnd(27)} ${c.severity.padEnd(8)} ${c.summary}`)
    .join('\n');
}
