/**
 * npm run bench: validation throughput side by side with baselines in the same run, as ratios.
 *   ceiling  - a bare streaming JSON.parse-per-line loop (same reader, same bundling)
 *   ftstudio - `ftstudio validate` (the built CLI, a child process, startup included), with its default
 *              threads and with `--workers 1`; the one-thread run also as CPU seconds (robust on a busy machine)
 *   python   - Python jsonschema (Debian's python3-jsonschema) on the same schema
 * plus peak RSS of the CLI and the median time to re-check one edited line of a 100,000-line document.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { timeChild, type Timed } from './childProcess';
import { generate, mulberry32, record, type Kind } from './generate';
import { DatasetModel, DEFAULT_OPTIONS } from '../src/core/checks/datasetModel';
import { VARIANT_SCHEMAS } from '../src/core/formats/schemas';
import { pairContent } from '../src/core/preference/items';
import { FileIndex } from '../src/core/indexing/fileIndex';
import { defaultThreads } from '../src/core/validation/validateFile';
import { wordDiff } from '../src/core/preference/wordDiff';
import { nearDuplicateBench } from './nearDuplicates.bench';

const root = join(__dirname, '..');
// a full collection before each heap reading (npm run bench runs node without --expose-gc)
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const data = join(root, 'bench', 'data');
const MB = 1e6;

/** The ceiling's CPU seconds over the contender's, as a ratio (1 = as cheap as the bare loop), with both figures. */
function cpuRatio(ceiling: Timed, ft: Timed): string {
  if (ceiling.cpuS === undefined || ft.cpuS === undefined) return 'n/a';
  return `${(ceiling.cpuS / ft.cpuS).toFixed(2)}× (${ft.cpuS.toFixed(2)} s vs ${ceiling.cpuS.toFixed(2)} s)`;
}

/**
 * Each contender's fastest of `n` runs, the contenders taking turns within every round, and the median
 * over the rounds of the first contender's time over each one's (a round's contenders meet the machine in
 * the same state: the steadier ratio where its speed drifts from one minute to the next).
 */
function bestInterleaved(n: number, contenders: (() => Timed)[]): { best: Timed[]; medianRatio: number[] } {
  const bestOf: (Timed | undefined)[] = contenders.map(() => undefined);
  const ratios: number[][] = contenders.map(() => []);
  for (let i = 0; i < n; i++) {
    const round = contenders.map((run, k) => {
      const r = run();
      if (!bestOf[k] || r.s < bestOf[k]!.s) bestOf[k] = r;
      return r;
    });
    round.forEach((r, k) => ratios[k]!.push(round[0]!.s / r.s));
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  return { best: bestOf as Timed[], medianRatio: ratios.map(median) };
}

async function main() {
  const quick = process.argv.includes('--quick');
  const size = quick ? 20 * MB : 120 * MB;
  mkdirSync(data, { recursive: true });
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit' });
  await build({
    entryPoints: [join(root, 'bench/bareParse.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: join(data, 'bareParse.js'),
    logLevel: 'warning',
  });
  const cli = join(root, 'dist/cli.js');
  if (process.argv.includes('--near-duplicates')) {
    // only the near-duplicate figures (the README's "Dataset Report" paragraph)
    console.log(await nearDuplicateBench(root, cli, join(data, 'bareParse.js')));
    return;
  }
  const python = '/usr/bin/python3';
  const hasPython = existsSync(python) && spawnSync(python, ['-c', 'import jsonschema'], { stdio: 'ignore' }).status === 0;

  const rows: string[] = [];
  // the default beside the other choice: two threads where the default is one, else one
  const otherThreads = defaultThreads() === 1 ? 2 : 1;
  const threadsText = (n: number) => (n === 1 ? 'one thread' : `${n} threads`);
  const runs = quick ? 1 : Number(process.env.BENCH_RUNS ?? 5);
  const files: { kind: Kind; schema: string }[] = [
    { kind: 'preference', schema: 'preference' },
    { kind: 'conversational', schema: 'language-modeling:conversational' },
    { kind: 'tools', schema: 'language-modeling:conversational' },
    { kind: 'sharegpt', schema: 'sharegpt:conversational' },
  ];
  // --ranking: only the ranking panel's figures (BENCH_RANKING_MB sets its file's size, e.g. 1000 for 1 GB)
  const rankingOnly = process.argv.includes('--ranking');
  for (const { kind, schema } of rankingOnly ? [] : files) {
    const file = join(data, `${kind}-${size / MB}mb.jsonl`);
    await generate(file, kind, size);
    const mb = statSync(file).size / MB;
    const schemaFile = join(data, `${kind}.schema.json`);
    writeFileSync(schemaFile, JSON.stringify(VARIANT_SCHEMAS.find((v) => `${v.format}${v.conversational ? ':conversational' : ''}` === schema)!.schema));
    // the three are interleaved, run after run, so that a slow spell of a shared machine hits all of them
    const {
      best: [ceiling, ft, ftOther],
      medianRatio: [, ftMedian, otherMedian],
    } = bestInterleaved(runs, [
      () => timeChild(process.execPath, [join(data, 'bareParse.js'), file], { FTSTUDIO_REPORT_RSS: '1' }),
      () => timeChild(process.execPath, [cli, 'validate', '--json', file], { FTSTUDIO_REPORT_RSS: '1' }),
      () => timeChild(process.execPath, [cli, 'validate', '--json', '--workers', String(otherThreads), file], { FTSTUDIO_REPORT_RSS: '1' }),
    ]) as { best: [Timed, Timed, Timed]; medianRatio: number[] };
    const py = hasPython ? timeChild(python, [join(root, 'bench/jsonschema_bench.py'), schemaFile, file]) : undefined;
    const report = JSON.parse(ft.out).files[0];
    const fmt = (s: number) => `${(mb / s).toFixed(1)} MB/s`;
    rows.push(
      `| ${kind} (${mb.toFixed(0)} MB, ${report.records.toLocaleString('en-US')} records) | ${fmt(ceiling.s)} | ${fmt(ft.s)} | **${(ceiling.s / ft.s).toFixed(2)}×** | ${ftMedian!.toFixed(2)}× | ${cpuRatio(ceiling, ft)} | ${fmt(ftOther.s)} (${(ceiling.s / ftOther.s).toFixed(2)}×; median ${otherMedian!.toFixed(2)}×) | ${py ? fmt(py.s) : 'n/a'} | ${py ? `${(py.s / ft.s).toFixed(1)}×` : 'n/a'} | ${ft.rssMb?.toFixed(0)} MB (ceiling ${ceiling.rssMb?.toFixed(0)} MB) |`,
    );
    console.log(rows[rows.length - 1]);
  }

  if (rankingOnly) {
    const ranking = await rankingBench(size);
    console.log(`\n${ranking}\n`);
    writeFileSync(join(data, 'RESULTS-ranking.md'), ranking + '\n');
    return;
  }

  // one-line re-check in a 100,000-line document, as the editor does it on a keystroke
  const r = mulberry32(99);
  const lines = Array.from({ length: 100_000 }, (_, i) => record('conversational', r, i));
  const model = new DatasetModel(DEFAULT_OPTIONS);
  model.replaceLines(0, 0, lines);
  model.report(1000);
  const times: number[] = [];
  for (let k = 0; k < 400; k++) {
    const i = Math.floor(r() * lines.length);
    const edited = k % 2 ? lines[i]!.replace('"content":"', '"content":"x') : lines[i]!.slice(0, -3); // a valid edit, then a broken one
    const t0 = process.hrtime.bigint();
    model.replaceLines(i, 1, [edited]);
    model.report(1000);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    model.replaceLines(i, 1, [lines[i]!]);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const p95 = times[Math.floor(times.length * 0.95)]!;

  const table = [
    `| file | ceiling: JSON.parse loop | \`ftstudio validate\` (default: ${threadsText(defaultThreads())}) | ratio to ceiling, best of ${runs} | median of the rounds' ratios | CPU seconds ÷ ceiling's | \`--workers ${otherThreads}\` (${threadsText(otherThreads)}) | Python jsonschema | ftstudio ÷ Python | peak RSS |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `One-line re-check of a 100,000-line document (re-analyse the line, update the aggregates, rebuild the report): median ${median.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms.`,
    '',
    await rankingBench(size),
    '',
    await nearDuplicateBench(root, cli, join(data, 'bareParse.js')),
  ].join('\n');
  console.log(`\n${table}\n`);
  writeFileSync(join(data, 'RESULTS.md'), table + '\n');
}

/** The ranking panel's reading of a preference file (BENCH_RANKING_MB sets its size), as one paragraph. */
async function rankingBench(size: number): Promise<string> {
  // the ranking panel on the preference file, as it reads it: indexed from disk on a worker, each item read by its byte span
  const rankingMb = Number(process.env.BENCH_RANKING_MB ?? size / MB);
  const pairFile = join(data, `preference-${rankingMb}mb.jsonl`);
  await generate(pairFile, 'preference', rankingMb * MB);
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const t1 = process.hrtime.bigint();
  const items = new FileIndex(pairFile, 'items');
  const view = async (k: number) => {
    const it = (await items.item(k))!;
    const c = pairContent(items.itemLines(it)[0]!)!;
    return wordDiff(c.chosen as string, c.rejected as string);
  };
  await view(0);
  const firstMs = Number(process.hrtime.bigint() - t1) / 1e6;
  const nextTimes: number[] = [];
  for (let k = 1; k <= 200; k++) {
    const t = process.hrtime.bigint();
    await view(k);
    nextTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  nextTimes.sort((a, b) => a - b);
  await items.whenDone();
  const indexMs = Number(process.hrtime.bigint() - t1) / 1e6;
  gc();
  const indexHeapMb = (process.memoryUsage().heapUsed - heap0) / MB;

  const loadavg = (await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
  return `Ranking panel's reading of the ${(statSync(pairFile).size / MB).toFixed(0)} MB preference file (${items.items.length.toLocaleString('en-US')} pairs, ${items.mode} mode), from disk on a worker thread: first item ${firstMs.toFixed(1)} ms (worker start, the first chunk, the item read by its byte span, its word diff); next item median ${nextTimes[100]!.toFixed(2)} ms, p95 ${nextTimes[190]!.toFixed(2)} ms (read by span + word diff); the whole file indexed by content id (in the background, for counts and filters) ${indexMs.toFixed(0)} ms, the index holding ${indexHeapMb.toFixed(0)} MB of heap (load average ${loadavg}).`;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
