// Semantic checks with a local ONNX embedding model (test/parity/onnxEmbedder.ts writes a tiny one):
// clusters and nearest-neighbour leakage, the Dataset Report's section, and a broken model turned into a
// message instead of a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalise } from '../../src/core/insight/embedModel';
import { nearestAbove, newEmbeddingRecords, SEMANTIC_MAX_RECORDS, semanticClusters, semanticSection } from '../../src/core/insight/semantic';
import { datasetStats } from '../../src/core/insight/stats';
import { estimateTokenCounter } from '../../src/core/tokens/tokenCounter';
import { heldoutPartner } from '../../src/core/checks/leakage';
import { writeTinyEmbedder } from '../parity/onnxEmbedder';
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
