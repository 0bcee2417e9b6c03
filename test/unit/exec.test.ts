// runCapture (training/exec.ts): a short program run without a shell (nvidia-smi, the interpreter's package
// list): its output, its exit code, a program that is missing, one that does not answer in time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCapture } from '../../src/core/training/exec';

const node = process.execPath;

test('stdout, stderr and the exit code, the arguments passed as given (no shell)', async () => {
  const r = await runCapture(
    [node, '-e', 'process.stdout.write(process.argv.slice(1).join("|")); process.stderr.write("warn"); process.exit(3)', 'a b', '$HOME', ';x'],
    20_000,
  );
  assert.deepEqual(r, { code: 3, stdout: 'a b|$HOME|;x', stderr: 'warn' });
  assert.deepEqual(await runCapture([node, '-e', ''], 20_000), { code: 0, stdout: '', stderr: '' });
});

test('a missing program: code 127 and the error; a program past its time: killed, code null, said so once', async () => {
  const missing = await runCapture(['/no/such/program'], 20_000);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /ENOENT/);
  const slow = await runCapture([node, '-e', 'process.stdout.write("started"); setInterval(() => {}, 1000)'], 1500);
  assert.equal(slow.code, null);
  assert.equal(slow.stderr, `${node} did not answer within 1.5 s`);
});
