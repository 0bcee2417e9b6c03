// MinHash signing on worker threads (insight/parallelSigning.ts): the same signatures and clusters as
// signing on one thread, a bounded number of batches out at once, cancellation, and small inputs kept here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultSigningWorkers, ParallelSigner, signFile, signingWorkersFor } from '../../src/core/insight/parallelSigning';
import { clusters, SignatureSet } from '../../src/core/insight/nearDuplicates';
import { PERMUTATIONS } from '../../src/core/insight/minhash';

function rng(seed: number): () => number {
  let t = seed;
  return () => ((t = (Math.imul(t, 1103515245) + 12345) | 0) >>> 8) / (1 << 24);
}

/** Texts of 20–200 words, every 7th a near copy (one word changed) of an earlier one, some without words. */
function texts(n: number, seed: number): string[] {
  const r = rng(seed);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 7 === 6) {
      const w = out[Math.floor(r() * out.length)]!.split(' ');
      w[Math.floor(r() * w.length)] = 'changed';
      out.push(w.join(' '));
    } else if (i % 50 === 49) out.push(' -- ');
    else out.push(Array.from({ length: 20 + Math.floor(r() * 180) }, () => 'w' + Math.floor(r() * 3000)).join(' '));
  }
  return out;
}

function inline(ts: readonly string[]): SignatureSet {
  const set = new SignatureSet();
  ts.forEach((t, i) => set.add(t, i * 2, t.length));
  return set;
}

function assertSameSet(got: SignatureSet, want: SignatureSet): void {
  assert.equal(got.count, want.count);
  assert.deepEqual(got.sigs.subarray(0, got.count * PERMUTATIONS), want.sigs.subarray(0, want.count * PERMUTATIONS));
  assert.deepEqual(got.has.subarray(0, got.count), want.has.subarray(0, want.count));
  assert.deepEqual(got.lines.subarray(0, got.count), want.lines.subarray(0, want.count));
  assert.deepEqual(got.lens.subarray(0, got.count), want.lens.subarray(0, want.count));
}

test('two workers give the signatures and clusters of one thread, in the order the texts came', async () => {
  const ts = texts(600, 1);
  const signer = new ParallelSigner({ workers: 2, inlineFirst: 50, batch: 16 });
  // added in pieces with turns of the event loop between them, as a file is read
  for (let i = 0; i < ts.length; i++) {
    signer.add(ts[i]!, i * 2, ts[i]!.length);
    if (i % 100 === 99) await new Promise((r) => setTimeout(r, 5));
  }
  const set = await signer.done();
  assert.ok(signer.counts.onWorkers > 0, 'batches were signed on the workers');
  assert.equal(signer.workerError, undefined);
  const want = inline(ts);
  assertSameSet(set, want);
  const found = clusters(set);
  assert.ok(found.length > 10, `${found.length} clusters`);
  assert.deepEqual(found, clusters(want));
});

test('at most four batches a worker are out at once; the rest are signed here', async () => {
  const ts = texts(1500, 2);
  const signer = new ParallelSigner({ workers: 2, inlineFirst: 0, batch: 8 });
  for (let i = 0; i < ts.length; i++) signer.add(ts[i]!, i); // no turn of the event loop: nothing comes back meanwhile
  const set = await signer.done();
  assert.ok(signer.counts.peakInFlight <= 8, `peak ${signer.counts.peakInFlight} batches out`);
  assert.ok(signer.counts.here > 0 && signer.counts.onWorkers > 0, JSON.stringify(signer.counts));
  const want = new SignatureSet();
  ts.forEach((t, i) => want.add(t, i));
  assertSameSet(set, want);
});

test('a small input is signed on this thread; workers 0 never starts one', async () => {
  const ts = texts(120, 3);
  for (const opts of [{ workers: 2 }, { workers: 0, inlineFirst: 0, batch: 4 }]) {
    const signer = new ParallelSigner(opts);
    ts.forEach((t, i) => signer.add(t, i * 2, t.length));
    assertSameSet(await signer.done(), inline(ts));
    assert.equal(signer.counts.onWorkers, 0);
  }
});

test('aborting stops the workers: done() rejects', async () => {
  const ac = new AbortController();
  const signer = new ParallelSigner({ workers: 2, inlineFirst: 0, batch: 4, signal: ac.signal });
  texts(400, 4).forEach((t, i) => signer.add(t, i));
  ac.abort();
  await assert.rejects(signer.done(), /abort/i);
});

test('signFile on workers equals signing the file on one thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-signing-'));
  const file = join(dir, 'data.jsonl');
  const ts = texts(3000, 5);
  writeFileSync(file, ts.map((t, i) => JSON.stringify({ prompt: 'q' + (i % 3), completion: t })).join('\n') + '\n');
  const a = await signFile(file, { workers: 2 });
  const b = await signFile(file, { workers: 0 });
  assert.ok(a.count > 2500);
  assertSameSet(a, b);
  assert.deepEqual(clusters(a), clusters(b));
});

test('worker count: FTSTUDIO_SIGNING_WORKERS when set, else a spare core beside the reader, at most two', () => {
  assert.equal(signingWorkersFor(2, 0.2), 1);
  assert.equal(signingWorkersFor(2, 1.0), 1);
  assert.equal(signingWorkersFor(2, 1.5), 0);
  assert.equal(signingWorkersFor(2, 12), 0);
  assert.equal(signingWorkersFor(1, 0), 0);
  assert.equal(signingWorkersFor(16, 3), 2);
  assert.equal(signingWorkersFor(3, 1.2), 1);
  const saved = process.env.FTSTUDIO_SIGNING_WORKERS;
  try {
    process.env.FTSTUDIO_SIGNING_WORKERS = '0';
    assert.equal(defaultSigningWorkers(), 0);
    process.env.FTSTUDIO_SIGNING_WORKERS = '3';
    assert.equal(defaultSigningWorkers(), 3);
    process.env.FTSTUDIO_SIGNING_WORKERS = 'many';
    assert.ok(defaultSigningWorkers() <= 2);
    // a value that is not wholly a count (a sign, an exponent, a prefix) is ignored: the machine's own 0..2
    for (const v of ['-1', '1e3', 'x3']) {
      process.env.FTSTUDIO_SIGNING_WORKERS = v;
      const w = defaultSigningWorkers();
      assert.ok(Number.isInteger(w) && w >= 0 && w <= 2, `${v}: ${w}`);
    }
  } finally {
    if (saved === undefined) delete process.env.FTSTUDIO_SIGNING_WORKERS;
    else process.env.FTSTUDIO_SIGNING_WORKERS = saved;
  }
});
