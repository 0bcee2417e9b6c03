/**
 * npm run bench -- --near-duplicates: near-duplicate detection on a generated 100,000-record file
 * (bench/data, not committed) with one planted near copy every 50 records; `ftstudio stats --json`
 * (stream, token counts, MinHash, LSH) and `ftstudio validate` as child processes, with peak RSS,
 * against the bare JSON.parse loop over the same file. Also the near-duplicate re-check of an open
 * document of LIVE_NEAR_DUPLICATE_LIMIT records, as the editor runs it after a keystroke.
 */
import { createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { timeChild, type Timed } from './childProcess';
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

/** A contender's run, with its CPU time and peak RSS (the CLI and the bare loop report them). */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Required<Timed> {
  const t = timeChild(cmd, args, { FTSTUDIO_REPORT_RSS: '1', ...env });
  return { ...t, cpuS: t.cpuS ?? NaN, rssMb: t.rssMb ?? NaN };
}

/** Each contender's run with the least CPU time of `rounds`, the contenders taking turns within every round. */
function interleaved(rounds: number, contenders: Record<string, () => Required<Timed>>): Record<string, Required<Timed>> {
  const best: Record<string, Required<Timed>> = {};
  for (let i = 0; i < rounds; i++)
    for (const [name, run] of Object.entries(contenders)) {
      const r = run();
      if (!best[name] || r.cpuS < best[name].cpuS) best[name] = r;
    }
  return best;
}

export async function nearDuplicateBench(root: string, cli: string, bareParse: string): Promise<string> {
  const data = join(root, 'bench', 'data');
  mkdirSync(data, { recursive: true });
  const file = join(data, `near-${NEAR_RECORDS}.jsonl`);
  await generateNear(file);
  const mb = statSync(file).size / 1e6;
  const rounds = Number(process.env.BENCH_RUNS) || 2;
  const r = interleaved(rounds, {
    bare: () => timed(process.execPath, [bareParse, file]),
    stats: () => timed(process.execPath, [cli, 'stats', '--json', file], { FTSTUDIO_SIGNING_WORKERS: '1' }),
    statsOneThread: () => timed(process.execPath, [cli, 'stats', '--json', file], { FTSTUDIO_SIGNING_WORKERS: '0' }),
    validate: () => timed(process.execPath, [cli, 'validate', '--json', '--near-duplicates', '--min-records', '0', file], { FTSTUDIO_SIGNING_WORKERS: '0' }),
    validateNoPass: () => timed(process.execPath, [cli, 'validate', '--json', '--min-records', '0', file]),
  });
  type Doc = { records: number; nearDuplicates: { clusters: number[][]; bands: number; rows: number } };
  const doc = JSON.parse(r.stats!.out) as Doc;
  const one = JSON.parse(r.statsOneThread!.out) as Doc;
  if (JSON.stringify(one.nearDuplicates) !== JSON.stringify(doc.nearDuplicates))
    throw new Error('stats on one thread found other near-duplicates than with workers');
  const nearDiags = (JSON.parse(r.validate!.out).files[0].diagnostics as { code: string }[]).filter((d) => d.code === 'near-duplicate').length;
  const planted = Math.floor(NEAR_RECORDS / PLANT_EVERY);
  const n = doc.records;
  const row = (name: string, t: Required<Timed>) =>
    `${name} ${t.s.toFixed(1)} s wall (CPU ${t.cpuS.toFixed(1)} s; ${((t.s / n) * 1e3).toFixed(3)} ms wall, ${((t.cpuS / n) * 1e6).toFixed(0)} µs CPU a record), peak RSS ${t.rssMb.toFixed(0)} MB, ` +
    `${(r.bare!.s / t.s).toFixed(3)}× the bare loop's speed (CPU ${(r.bare!.cpuS / t.cpuS).toFixed(3)}×)`;
  const passCpu = r.validate!.cpuS - r.validateNoPass!.cpuS;
  const passWall = r.validate!.s - r.validateNoPass!.s;
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
    `Near-duplicates, ${n.toLocaleString('en-US')} records (${mb.toFixed(0)} MB, ${planted.toLocaleString('en-US')} planted near copies; ${doc.nearDuplicates.bands} bands × ${doc.nearDuplicates.rows} rows), ` +
      `each contender's least-CPU run of ${rounds}, taking turns; load average ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end:`,
    `- the bare JSON.parse loop: ${r.bare!.s.toFixed(1)} s wall (CPU ${r.bare!.cpuS.toFixed(1)} s), peak RSS ${r.bare!.rssMb.toFixed(0)} MB`,
    `- ${row('`ftstudio stats --json`, signing on a worker thread (FTSTUDIO_SIGNING_WORKERS=1, the idle 2-core default)', r.stats!)}; ${doc.nearDuplicates.clusters.length.toLocaleString('en-US')} clusters`,
    `- ${row('the same, signing on the reading thread (FTSTUDIO_SIGNING_WORKERS=0, the default on busy cores)', r.statsOneThread!)}; the same clusters`,
    `- ${row('`ftstudio validate --near-duplicates` (signing on the reading thread)', r.validate!)}; ${nearDiags.toLocaleString('en-US')} near-duplicate diagnostics`,
    `- ${row('`ftstudio validate` without the pass', r.validateNoPass!)}`,
    `- the near-duplicate pass in validate: ${passWall.toFixed(1)} s wall, ${passCpu.toFixed(1)} s CPU (${((passCpu / mb) * 100).toFixed(1)} s CPU per 100 MB; the bare loop ${((r.bare!.cpuS / mb) * 100).toFixed(1)} s per 100 MB)`,
    `Re-check of an open ${LIVE_NEAR_DUPLICATE_LIMIT.toLocaleString('en-US')}-record document after a one-line edit, near-duplicates included: median ${times[20]!.toFixed(1)} ms, p95 ${times[38]!.toFixed(1)} ms.`,
  ].join('\n');
}
