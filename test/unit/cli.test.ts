// The CLI's exit codes and JSON shape, in-process and through the built bin.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';

const dir = mkdtempSync(join(tmpdir(), 'ftstudio-cli-'));
const clean = join(dir, 'clean.jsonl');
const broken = join(dir, 'broken.jsonl');
writeFileSync(clean, '{"prompt": "p", "chosen": "c", "rejected": "r"}\n{"prompt": "q", "chosen": "c", "rejected": "r"}\n');
writeFileSync(broken, '{"prompt": "p", "chosen": "c", "rejected": "r"}\n{"prompt": "q", "chosen": "c",}\n\n{"prompt": "p", "chosen": "c", "rejected": "r"}\n');

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('exit 0 without errors, 1 with errors', async () => {
  assert.equal((await run('validate', '--min-records', '0', clean)).code, 0);
  const r = await run('validate', '--min-records', '0', broken);
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`^${broken.replace(/[.]/g, '\\.')}:2:31: error invalid-json Invalid JSON: Trailing comma`, 'm'));
  assert.match(r.out, /:4:1: warning duplicate Exact duplicate of the record on line 1/);
  assert.match(r.out, /^1 file: 1 errors, 1 warnings, 0 infos$/m);
});

test('--json: one document with the documented shape', async () => {
  const r = await run('validate', '--json', clean, broken);
  assert.equal(r.code, 1);
  const doc = JSON.parse(r.out);
  assert.deepEqual(Object.keys(doc), ['files']);
  assert.equal(doc.files.length, 2);
  const [c, b] = doc.files;
  assert.deepEqual(Object.keys(b), ['file', 'format', 'conversational', 'records', 'diagnostics']);
  assert.equal(c.format, 'preference');
  assert.equal(c.conversational, false);
  assert.equal(b.records, 3);
  const inv = b.diagnostics.find((d: { code: string }) => d.code === 'invalid-json');
  assert.deepEqual(inv, { line: 2, column: 31, endLine: 2, endColumn: 32, severity: 'error', code: 'invalid-json', message: inv.message });
  assert.ok(b.diagnostics.every((d: Record<string, unknown>) => ['error', 'warning', 'info'].includes(d.severity as string)));
});

test('exit 2 with a one-line message on usage and I/O problems', async () => {
  const cases: [string[], RegExp][] = [
    [['validate'], /needs at least one FILE/],
    [['validate', join(dir, 'missing.jsonl')], /cannot read .*missing\.jsonl: no such file/],
    [['validate', dir], /is a directory/],
    [['validate', '--format', 'nope', clean], /--format must be one of/],
    [['validate', '--bogus', clean], /unknown option --bogus/],
    [['validate', '--schema', join(dir, 'none.json'), clean], /cannot read schema/],
    [['frobnicate'], /unknown command/],
  ];
  for (const [argv, msg] of cases) {
    const r = await run(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.match(r.err, msg);
    assert.equal(r.err.split('\n').length, 1, r.err);
  }
  // a file without read permission, as root too: cliCommands.test.ts
});

test('--schema replaces the built-in formats; an invalid schema is a usage error', async () => {
  const schema = join(dir, 'schema.json');
  writeFileSync(schema, JSON.stringify({ type: 'object', required: ['question'] }));
  const r = await run('validate', '--json', '--min-records', '0', '--schema', schema, clean);
  assert.equal(r.code, 1);
  assert.deepEqual(
    JSON.parse(r.out).files[0].diagnostics.map((d: { code: string; line: number }) => `${d.line}:${d.code}`),
    ['1:schema', '2:schema'],
  );
  const bad = join(dir, 'bad-schema.json');
  writeFileSync(bad, JSON.stringify({ type: 'nonsense' }));
  const r2 = await run('validate', '--schema', bad, clean);
  assert.equal(r2.code, 2);
  assert.match(r2.err, /invalid JSON Schema/);
});

test('the same diagnostics sequentially and with worker threads', async () => {
  const { validateFile } = await import('../../src/core/validation/validateFile');
  const big = join(dir, 'big.jsonl');
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) {
    if (i % 97 === 0) lines.push('{"prompt": "broken",');
    // a minority template and a minority format, so that the string ids of each part are remapped on merge
    else if (i % 53 === 0) lines.push(JSON.stringify({ instruction: `Given the following number, ${i}`, input: '', output: 'o' }));
    else if (i % 7 === 0) lines.push(JSON.stringify({ prompt: `Given the following topic, explain ${i % 1500}.`, chosen: 'c', rejected: 'r' }));
    else lines.push(JSON.stringify({ prompt: `You are a tutor. Explain ${i % 1500}.`, chosen: 'c', rejected: 'r' }));
  }
  writeFileSync(big, lines.join('\n'));
  const opts = { maxTokens: 4096, minRecords: 200 };
  const seq = await validateFile(big, opts, { workers: 1 });
  const par = await validateFile(big, opts, { workers: 3, parallelThreshold: 0 });
  const off = await validateFile(big, opts, { offThread: true });
  assert.deepEqual(par, seq);
  assert.deepEqual(off, seq);
  const seen = new Set<string>();
  let repeats = 0;
  for (const l of lines) {
    if (l.endsWith(',')) continue;
    if (seen.has(l)) repeats++;
    seen.add(l);
  }
  assert.equal(seq.diagnostics.filter((d) => d.code === 'duplicate').length, repeats);
  assert.equal(seq.diagnostics.filter((d) => d.code === 'invalid-json').length, Math.ceil(3000 / 97));
  assert.ok(seq.diagnostics.filter((d) => d.code === 'format-mismatch').length > 40);
  assert.ok(seq.diagnostics.filter((d) => d.code === 'template-mismatch').length > 300);
  assert.equal(seq.records, 3000);
});

test('a reader that closes the pipe early (| head) ends the CLI quietly, not with a stack trace', async () => {
  const { spawn } = await import('node:child_process');
  const many = join(dir, 'many.jsonl');
  writeFileSync(many, '{"prompt": "p", "chosen": "c",}\n'.repeat(50_000));
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../../src/cli/main.ts'), 'validate', many], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.doesNotMatch(err, /EPIPE|Error/);
  assert.ok(code === 0 || code === 1, `exit ${code}`);
});

test("the summary line adds up every file's errors, warnings and infos", async () => {
  // without --min-records, each small file has a few-records info
  const r = await run('validate', clean, broken);
  assert.equal(r.code, 1);
  assert.match(r.out, /^2 files: 1 errors, 1 warnings, 2 infos$/m);
});
