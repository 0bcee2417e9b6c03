/** `ftstudio stats DATASET [--config F] [--json] [--html OUT]`: the Dataset Report's numbers. */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { findConfig, readValidationConfig } from '../core/project/projectConfig';
import { FORMAT_IDS, type FormatId } from '../core/formats/formats';
import { DEFAULT_OPTIONS } from '../core/checks/datasetModel';
import { numberFlag, parseArgs, UsageError } from './args';
import type { Io } from './validateCommand';
import { DEFAULT_SEMANTIC_THRESHOLD, embeddingModelChoice } from '../core/insight/embeddings';

export const STATS_USAGE = `usage: ftstudio stats DATASET [--config F] [--json] [--html OUT] [--threshold J] [--embeddings DIR] [--semantic-threshold C]
  DATASET        a JSONL dataset
  --config F     finetune.json (default: the nearest one above DATASET): goal, data.production,
                 data.nearDuplicateThreshold, training.maxSeqLength, data.format, model
  --json         one JSON document on stdout
  --html OUT     also write a self-contained HTML report to OUT
  --threshold J  near-duplicate Jaccard threshold (default: finetune.json, else 0.85)
  --embeddings DIR  a local embedding model (model.onnx + tokenizer.json) for semantic near-duplicates and
                 held-out leakage (default: finetune.json embeddings.model; none: semantic checks off)
  --semantic-threshold C  cosine at or above which records count as the same (default: finetune.json
                 embeddings.threshold, else ${DEFAULT_SEMANTIC_THRESHOLD})
exit status: 0 report made, 2 usage or I/O problem`;

function readable(file: string, what: string): void {
  if (!existsSync(file)) throw new UsageError(`cannot read ${what} ${file}: no such file`);
  if (statSync(file).isDirectory()) throw new UsageError(`cannot read ${what} ${file}: it is a directory`);
}

export async function statsCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, { values: ['config', 'html', 'threshold', 'embeddings', 'semantic-threshold'], booleans: ['json', 'help'] });
  if (args.flags.has('help')) {
    io.out(STATS_USAGE);
    return 0;
  }
  if (args.positional.length !== 1) throw new UsageError('stats needs exactly one DATASET');
  const file = resolve(args.positional[0]!);
  readable(file, 'dataset');
  if (/\.json$/i.test(file)) throw new UsageError(`${args.positional[0]}: stats reads JSONL datasets (one record a line); convert the JSON array first`);
  const configFlag = args.flags.get('config');
  let configPath: string | undefined;
  if (typeof configFlag === 'string') {
    configPath = resolve(configFlag);
    readable(configPath, 'config');
  } else configPath = findConfig(dirname(file));
  const config = configPath ? readValidationConfig(configPath) : undefined;
  for (const p of config?.problems ?? []) io.err(`ftstudio: warning: ${p}`);
  if (config?.production) readable(config.production, `data.production of ${configPath}:`);
  const threshold = args.flags.has('threshold') ? numberFlag(args, 'threshold', 0, 0.01) : config?.nearDuplicateThreshold;
  if (threshold !== undefined && threshold > 1) throw new UsageError(`--threshold must be a number ≥ 0.01 and ≤ 1, got ${threshold}`);
  const cosine = args.flags.has('semantic-threshold') ? numberFlag(args, 'semantic-threshold', 0, 0.01) : config?.embeddings?.threshold;
  if (cosine !== undefined && cosine > 1) throw new UsageError(`--semantic-threshold must be a number ≥ 0.01 and ≤ 1, got ${cosine}`);
  const explicit = args.flags.get('embeddings');
  const choice = embeddingModelChoice({ explicit: typeof explicit === 'string' ? explicit : undefined, project: config?.embeddings?.model, trusted: true });
  if ('off' in choice && typeof explicit === 'string') throw new UsageError(`--embeddings: ${choice.off.replace(/^semantic checks are off: /, '')}`);
  if ('off' in choice && config?.embeddings?.model) io.err(`ftstudio: warning: ${choice.off}`);
  const { datasetStats } = await import('../core/insight/stats');
  const { tokenCounterFor } = await import('../core/insight/counterChoice');
  const stats = await datasetStats(file, {
    counter: await tokenCounterFor(configPath),
    format: config?.format && (FORMAT_IDS as readonly string[]).includes(config.format) ? (config.format as FormatId) : undefined,
    maxSeqLength: config?.maxSeqLength ?? DEFAULT_OPTIONS.maxTokens,
    nearDuplicateThreshold: threshold,
    goal: config?.goal,
    production: config?.production,
    semantic: 'off' in choice ? choice : { ...choice, threshold: cosine },
  });
  if (stats.semantic.enabled === false && 'dir' in choice) io.err(`ftstudio: warning: ${stats.semantic.message}`);
  const html = args.flags.get('html');
  if (typeof html === 'string') {
    const { reportHtml } = await import('../core/insight/reportHtml');
    const { writeFileAtomic } = await import('../core/jsonl/atomicFile');
    try {
      writeFileAtomic(resolve(html), reportHtml(stats));
    } catch (e) {
      throw new UsageError(`cannot write ${html}: ${(e as Error).message}`);
    }
  }
  if (args.flags.has('json')) io.out(JSON.stringify(stats));
  else {
    const { statsText } = await import('../core/insight/reportText');
    io.out(statsText(stats));
    if (typeof html === 'string') io.out(`wrote ${html}`);
  }
  return 0;
}
