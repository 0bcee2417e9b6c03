/**
 * npm run bench -- --near-duplicates: near-duplicate detection on a generated 100,000-record file
 * (bench/data, not committed) with one planted near copy every 50 records; `ftstudio stats --json`
 * (stream, token counts, MinHash, LSH) and `ftstudio validate` as child processes, with peak RSS,
 * against the bare JSON.parse loop over the same file. Also the near-duplicate re-check of an open
 * document of LIVE_NEAR_DUPLICATE_LIMIT records, as the editor runs it after a keystroke.
 */
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { mulberry32, record } from './generate';
import { DatasetModel, DEFAULT_OPTIONS } from '../src/core/checks/datasetModel';
import { validateDocument } from '../src/core/validation/validateDataset';
import { LIVE_NEAR_DUPLICATE_LIMIT } from '../src/core/insight/nearDuplicates';

export const NEAR_RECORDS = 100_000;
export const PLANT_EVERY = 50;

/** A near copy: one word of the record's last message changed. */
function nearCopy(line: string, rnd: () => number): string {
  const rec = JSON.parse(line) as { messages: { content: string }[] };
  const last = rec.messages[rec.messages.length - 1]!;
  const words = last.content.split(' ');
  words[Math.floor(rnd() * words.length)] = 'changed';
  last.content = words.join(' ');
  return JSON.stringify(rec);
}

export async function generateNear(path: string, n = NEAR_RECORDS): Promise<void> {
  if (existsSync(path) && statSync(path).size > 0) return;
  const rnd = mulberry32(7);
  const out = createWriteStream(path);
  const kept: string[] = [];
  for (let i = 0; i < n; i++) {
    const line = i % PLANT_EVERY === PLANT_EVERY - 1 && kept.length ? nearCopy(kept[Math.floor(rnd() * kept.length)]!, rnd) : record('conversational', rnd, i);
    if (kept.length < 5000) kept.push(line);
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

function timed(cmd: string, args: string[]): { s: number; cpu: number; rssMb: number; out: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, FTSTUDIO_REPORT_RSS: '1' }, maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  const rss = /maxrss_kb=(\d+)/.exec(r.stderr ?? '');
  const cpu = /cpu_s=([\d.]+)/.exec(r.stderr ?? '');
  return { s, cpu: cpu ? Number(cpu[1]) : NaN, rssMb: rss ? Number(rss[1]) / 1024 : NaN, out: r.stdout };
}

export async function nearDuplicateBench(root: string, cli: string, bareParse: string): Promise<string> {
  const data = join(root, 'bench', 'data');
  mkdirSync(data, { recursive: true });
  const file = join(data, `near-${NEAR_RECORDS}.jsonl`);
  await generateNear(file);
  const mb = statSync(file).size / 1e6;
  const ceiling = timed(process.execPath, [bareParse, file]);
  const stats = timed(process.execPath, [cli, 'stats', '--json', file]);
  const doc = JSON.parse(stats.out) as { records: number; nearDuplicates: { clusters: number[][]; bands: number; rows: number } };
  const validate = timed(process.execPath, [cli, 'validate', '--json', '--near-duplicates', '--min-records', '0', file]);
  const nearDiags = (JSON.parse(validate.out).files[0].diagnostics as { code: string }[]).filter((d) => d.code === 'near-duplicate').length;
  const planted = Math.floor(NEAR_RECORDS / PLANT_EVERY);

  // the editor: an open document at the live limit, one line edited, the report rebuilt with near-duplicates
  const rnd = mulberry32(3);
  const lines = Array.from({ length: LIVE_NEAR_DUPLICATE_LIMIT }, (_, i) => record('conversational', rnd, i));
  const model = new DatasetModel(DEFAULT_OPTIONS);
  model.replaceLines(0, 0, lines);
  validateDocument(model, undefined, () => lines, 1000);
  const times: number[] = [];
  for (let k = 0; k < 40; k++) {
    const i = Math.floor(rnd() * lines.length);
    const edited = lines[i]!.replace('"content":"', '"content":"x');
    const t0 = process.hrtime.bigint();
    const now = lines.slice();
    now[i] = edited;
    model.replaceLines(i, 1, [edited]);
    validateDocument(model, undefined, () => now, 1000);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    model.replaceLines(i, 1, [lines[i]!]);
  }
  times.sort((a, b) => a - b);
  return [
    `Near-duplicates, ${doc.records.toLocaleString('en-US')} records (${mb.toFixed(0)} MB, ${planted.toLocaleString('en-US')} planted near copies; ${doc.nearDuplicates.bands} bands × ${doc.nearDuplicates.rows} rows):`,
    `\`ftstudio stats --json\` ${stats.s.toFixed(1)} s (CPU ${stats.cpu.toFixed(1)} s), peak RSS ${stats.rssMb.toFixed(0)} MB, ${doc.nearDuplicates.clusters.length.toLocaleString('en-US')} clusters; ` +
      `\`ftstudio validate\` (with the near-duplicate pass) ${validate.s.toFixed(1)} s (CPU ${validate.cpu.toFixed(1)} s), peak RSS ${validate.rssMb.toFixed(0)} MB, ${nearDiags.toLocaleString('en-US')} near-duplicate diagnostics; ` +
      `the bare JSON.parse loop ${ceiling.s.toFixed(1)} s (stats ${(ceiling.s / stats.s).toFixed(2)}× of it).`,
    `Re-check of an open ${LIVE_NEAR_DUPLICATE_LIMIT.toLocaleString('en-US')}-record document after a one-line edit, near-duplicates included: median ${times[20]!.toFixed(1)} ms, p95 ${times[38]!.toFixed(1)} ms.`,
  ].join('\n');
}
