// Counts tokens with src/core/tokens/tokenCounter.ts for trainer/tests/test_node_token_counts.py, which
// compares them with transformers and the trainer's masks. Input (argv[2]): [{ dir, records: [{ record, format }] }];
// output (stdout): one JSON list per case, [{ total, trained, source }].
import { readFileSync } from 'node:fs';
import { tokenCounterFromDir } from '../../src/core/tokens/tokenCounter';

interface Case {
  readonly dir: string;
  readonly records: ReadonlyArray<{ readonly record: unknown; readonly format: string }>;
}

async function main(): Promise<void> {
  const cases = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Case[];
  const out = [];
  for (const c of cases) {
    const counter = await tokenCounterFromDir(c.dir);
    out.push(c.records.map((r) => ({ ...counter.count(r.record, r.format), source: counter.source })));
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((e: Error) => {
  process.stderr.write(`${e.stack ?? e.message}\n`);
  process.exit(1);
});
