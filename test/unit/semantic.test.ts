// Semantic checks with a local ONNX embedding model (test/parity/onnxEmbedder.ts writes a tiny one):
// clusters and nearest-neighbour leakage, the Dataset Report's section, and a broken model turned into a
// message instead of a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbedderError, loadEmbedderHere, normalise } from '../../src/core/insight/embedModel';
import { nearestAbove, newEmbeddingRecords, SEMANTIC_MAX_RECORDS, semanticClusters, semanticSection } from '../../src/core/insight/semantic';
import { datasetStats } from '../../src/core/insight/stats';
import { estimateTokenCounter } from '../../src/core/tokens/tokenCounter';
import { heldoutPartner } from '../../src/core/checks/leakage';
import { writeTinyEmbedder } from '../parity/onnxEmbedder';
import { main } from '../../src/cli/main';
import { writeSemanticDataset } from '../parity/semanticDataset';

const tmp = mkdtempSync(join(tmpdir(), 'ftstudio-semantic-'));
const model = join(tmp, 'model');
writeTinyEmbedder(model);
const v = (...x: number[]) => normalise(Float32Array.from(x));
const base = { counter: estimateTokenCounter(), maxSeqLength: 4096 };

test('clusters link pairs at cosine ≥ threshold transitively; nearest-above keeps each query’s best match only', () => {
  // 0~1 (0.99) and 1~2 (0.99) but 0·2 below: one cluster through 1; 3 stays alone
  const a = [v(1, 0, 0), v(1, 0.15, 0), v(1, 0.3, 0), v(0, 0, 1)];
  assert.ok(a[0]![0]! * a[2]![0]! + a[0]![1]! * a[2]![1]! < 0.99);
  assert.deepEqual(semanticClusters(a, 0.985), [[0, 1, 2]]);
  assert.deepEqual(semanticClusters(a, 0.9999), []);
  const hits = nearestAbove([v(1, 0.29, 0), v(0, 1, 0)], a, 0.95);
  assert.equal(hits.length, 1);
  assert.deepEqual(hits[0]!.slice(0, 2), [0, 2]);
  assert.ok(hits[0]![2] > 0.999);
});

test('the embedder on this thread: mean-pooled unit vectors over the real tokens, the tokenizer’s truncation, an output of no known shape refused', async () => {
  const dir = join(tmp, 'model-here');
  writeTinyEmbedder(dir);
  // the tokenizer truncates at two tokens: words past them do not count
  const tokenizer = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8'));
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({ ...tokenizer, truncation: { direction: 'Right', max_length: 2, strategy: 'LongestFirst', stride: 0 } }),
  );
  const e = await loadEmbedderHere(dir);
  try {
    assert.equal(e.dimension, 12);
    const [a, longer, other, padded] = await e.embed(['refund money', 'refund money zebra zebra', 'zebra', 'refund']);
    assert.deepEqual(Array.from(longer!), Array.from(a!), 'cut at max_length');
    assert.ok(Math.abs(Math.hypot(...a!) - 1) < 1e-6, 'unit length');
    assert.ok(Math.abs(a!.reduce((s, x, k) => s + x * other![k]!, 0)) < 1e-6, 'an unknown word is another direction');
    // a shorter text in the same batch is padded; the padding does not count
    assert.deepEqual(Array.from(padded!), Array.from(a!));
  } finally {
    await e.dispose();
  }
  const rank4 = join(tmp, 'model-rank4');
  writeTinyEmbedder(rank4, { rank4: true });
  // found when the model is loaded (the first embedding gives the dimension)
  await assert.rejects(
    loadEmbedderHere(rank4),
    (err: Error) =>
      err instanceof EmbedderError &&
      /model\.onnx: no output of shape \[batch, tokens, dim\] or \[batch, dim\] \(outputs last_hidden_state\)/.test(err.message),
  );
});

test('the report on a training file: paraphrases cluster (MinHash misses them) and the held-out paraphrase is a leak', async () => {
  const { train, heldout } = writeSemanticDataset(join(tmp, 'data'));
  assert.equal(heldoutPartner(train), heldout);
  const s = await datasetStats(train, { ...base, semantic: { dir: model, from: 'a test', threshold: 0.95 } });
  assert.deepEqual(s.nearDuplicates.clusters, []);
  assert.ok(s.semantic.enabled, JSON.stringify(s.semantic));
  assert.deepEqual(s.semantic.clusters, [[1, 3]]);
  assert.equal(s.semantic.threshold, 0.95);
  assert.match(s.semantic.description, /model \(12-dimensional, from a test\), cosine ≥ 0\.95/);
  assert.equal(s.semantic.leakage?.heldout, heldout);
  assert.equal(s.semantic.leakage?.train, train);
  assert.deepEqual(
    s.semantic.leakage?.leaks.map((l) => [l.heldoutLine, l.trainLine]),
    [[2, 3]],
  );
  assert.ok(s.semantic.leakage!.leaks[0]!.cosine >= 0.95);
  // the same leak seen from the held-out file; a stricter threshold than any pair finds nothing
  const h = await datasetStats(heldout, { ...base, semantic: { dir: model, from: 'a test' } });
  assert.ok(h.semantic.enabled);
  assert.deepEqual(
    h.semantic.leakage?.leaks.map((l) => [l.heldoutLine, l.trainLine]),
    [[2, 3]],
  );
  const strict = await datasetStats(train, { ...base, semantic: { dir: model, from: 'a test', threshold: 0.99999 } });
  assert.ok(strict.semantic.enabled);
  assert.deepEqual(strict.semantic.clusters, []);
});

test('a broken or missing model turns the semantic checks off with a message naming the file; the report still comes', async () => {
  const { train } = writeSemanticDataset(join(tmp, 'broken-data'));
  const broken = join(tmp, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'model.onnx'), 'not a model');
  writeTinyEmbedder(join(tmp, 'tok'));
  writeFileSync(join(broken, 'tokenizer.json'), '{"model": {"type": "WordLevel", "vocab": {"a": 0}, "unk_token": "a"}}');
  const s = await datasetStats(train, { ...base, semantic: { dir: broken, from: 'finetune.json embeddings.model' } });
  assert.equal(s.records, 5);
  assert.ok(!s.semantic.enabled);
  assert.match(
    s.semantic.message,
    /semantic checks are off: .*(model\.onnx cannot be loaded|cannot read the tokenizer).*finetune\.json embeddings\.model.*re-export/,
  );
  const gone = await datasetStats(train, { ...base, semantic: { dir: join(tmp, 'nowhere'), from: 'the setting finetuneStudio.embeddings.model' } });
  assert.ok(!gone.semantic.enabled);
  assert.match(gone.semantic.message, /nowhere does not exist/);
  const none = await datasetStats(train, base);
  assert.ok(!none.semantic.enabled);
  assert.match(none.semantic.message, /no embedding model; set embeddings\.model/);
});

test('over the exhaustive limit the within-file search says it is skipped; cancelling stops the embedding', async () => {
  const records = newEmbeddingRecords();
  records.count = SEMANTIC_MAX_RECORDS + 1;
  const s = await semanticSection(join(tmp, 'big.jsonl'), records, { dir: model, from: 'a test' }, undefined);
  assert.ok(s.enabled);
  assert.deepEqual(s.clusters, []);
  assert.match(s.skipped ?? '', /10,001 distinct records is over the 10,000 compared exhaustively/);
  const many = newEmbeddingRecords();
  for (let i = 0; i < 600; i++) {
    many.texts.push(`refund order ${i}`);
    many.lines.push(i);
    many.lens.push(1);
    many.count++;
  }
  const abort = new AbortController();
  let chunks = 0;
  await assert.rejects(
    semanticSection(join(tmp, 'many.jsonl'), many, { dir: model, from: 'a test' }, undefined, {
      signal: abort.signal,
      onProgress: (_done, _total, what) => {
        if (what.startsWith('embedding') && ++chunks === 1) abort.abort();
      },
    }),
    { name: 'AbortError' },
  );
  assert.equal(chunks, 1);
});

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('ftstudio stats --json: the semantic fields from finetune.json embeddings (model, threshold); --embeddings overrides; --html and text show them', async () => {
  const project = join(tmp, 'cli');
  const { train, heldout } = writeSemanticDataset(project);
  writeTinyEmbedder(join(project, 'embedder'));
  const config = join(project, 'finetune.json');
  writeFileSync(
    config,
    JSON.stringify({
      method: 'sft',
      model: 'm',
      data: { train: 'train.jsonl', heldout: 'heldout.jsonl' },
      embeddings: { model: './embedder', threshold: 0.9 },
    }),
  );
  const r = await cli('stats', train, '--config', config, '--json');
  assert.equal(r.code, 0, r.err);
  const doc = JSON.parse(r.out);
  assert.equal(doc.semantic.enabled, true);
  assert.equal(doc.semantic.threshold, 0.9);
  assert.match(doc.semantic.description, /embedder .*from finetune\.json embeddings\.model\), cosine ≥ 0\.9/);
  assert.deepEqual(doc.semantic.clusters, [[1, 3]]);
  assert.deepEqual(doc.semantic.leakage, { heldout, train, leaks: [{ heldoutLine: 2, trainLine: 3, cosine: doc.semantic.leakage.leaks[0].cosine }] });
  assert.ok(doc.semantic.leakage.leaks[0].cosine >= 0.9);
  // the flag wins over finetune.json; a flag naming no model is a usage error; a configured broken model a warning
  const over = JSON.parse(
    (await cli('stats', train, '--config', config, '--json', '--embeddings', join(project, 'embedder'), '--semantic-threshold', '0.99999')).out,
  );
  assert.deepEqual(over.semantic.clusters, []);
  assert.match(over.semantic.description, /from --embeddings/);
  const missing = await cli('stats', train, '--config', config, '--embeddings', join(project, 'nope'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /--embeddings: the embedding model folder .*nope does not exist/);
  const html = join(project, 'report.html');
  const t = await cli('stats', train, '--config', config, '--html', html);
  assert.match(t.out, /semantic near-duplicates \(.*\): 1 clusters\n  lines 1, 3/);
  assert.match(t.out, /semantic leakage \(heldout\.jsonl into train\.jsonl\): 1 held-out records\n  held-out line 2 ~ training line 3/);
  assert.match(
    readFileSync(html, 'utf8'),
    /Semantic leakage<\/h2><p>heldout\.jsonl into train\.jsonl: 1 held-out records<\/p><ol><li>held-out line 2 ~ training line 3/,
  );
  const brokenConfig = join(project, 'broken.json');
  writeFileSync(brokenConfig, JSON.stringify({ method: 'sft', model: 'm', data: { train: 'train.jsonl' }, embeddings: { model: './gone' } }));
  const b = await cli('stats', train, '--config', brokenConfig, '--json');
  assert.equal(b.code, 0);
  assert.match(b.err, /warning: semantic checks are off: the embedding model folder .*gone does not exist/);
  assert.equal(JSON.parse(b.out).semantic.enabled, false);
});

test('ftstudio validate: heldout-semantic-leak on the held-out file when finetune.json names an embedding model', async () => {
  const project = join(tmp, 'cli-validate');
  const { heldout } = writeSemanticDataset(project);
  writeTinyEmbedder(join(project, 'embedder'));
  writeFileSync(
    join(project, 'finetune.json'),
    JSON.stringify({ method: 'sft', model: 'm', data: { train: 'train.jsonl', heldout: 'heldout.jsonl' }, embeddings: { model: './embedder' } }),
  );
  const cwd = process.cwd();
  process.chdir(project);
  try {
    const r = await cli('validate', '--json', heldout);
    const diags = JSON.parse(r.out).files[0].diagnostics.filter((d: { code: string }) => d.code === 'heldout-semantic-leak');
    assert.equal(diags.length, 1, r.out);
    assert.equal(diags[0].line, 2);
    assert.match(diags[0].message, /says nearly the same as train\.jsonl \(line 3; cosine 1 ≥ 0\.95 with the embedding model embedder\)/);
    writeFileSync(join(project, 'finetune.json'), JSON.stringify({ method: 'sft', model: 'm', data: { train: 'train.jsonl', heldout: 'heldout.jsonl' } }));
    const none = await cli('validate', '--json', heldout);
    assert.deepEqual(
      JSON.parse(none.out).files[0].diagnostics.filter((d: { code: string }) => d.code === 'heldout-semantic-leak'),
      [],
    );
    // a model folder that is not there: a warning naming it, and the file validated without the semantic check
    writeFileSync(
      join(project, 'finetune.json'),
      JSON.stringify({ method: 'sft', model: 'm', data: { train: 'train.jsonl', heldout: 'heldout.jsonl' }, embeddings: { model: './gone' } }),
    );
    const gone = await cli('validate', '--json', heldout);
    assert.match(gone.err, /^ftstudio: warning: semantic checks are off: .*gone/m);
    assert.deepEqual(
      JSON.parse(gone.out).files[0].diagnostics.filter((d: { code: string }) => d.code === 'heldout-semantic-leak'),
      [],
    );
  } finally {
    process.chdir(cwd);
  }
});
