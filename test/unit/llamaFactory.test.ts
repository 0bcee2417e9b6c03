// LLaMA-Factory's dataset_info.json registry (src/core/formats/llamaFactory.ts): which entry names a file,
// and the format and problems that entry gives it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetInfoFor, DATASET_INFO, fileKeyOf, fileRoleNames, HIDDEN, renameKeys, retagTurns } from '../../src/core/formats/llamaFactory';

/** A fresh data folder holding `registry` as its dataset_info.json; returns the folder. */
function registryDir(registry: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-lfreg-'));
  writeFileSync(join(dir, DATASET_INFO), JSON.stringify(registry));
  return dir;
}

test('dataset_info.json: null and non-object entries are skipped, the entry naming the file is still found', () => {
  // pins: a registry with a null placeholder entry (hand-edited files have them) does not stop the lookup
  const dir = registryDir({ placeholder: null, note: 'see README', count: 3, chat: { file_name: 'chat.jsonl', formatting: 'sharegpt' } });
  const info = datasetInfoFor(join(dir, 'chat.jsonl'));
  assert.equal(info?.name, 'chat');
  assert.equal(info?.format, 'sharegpt');
});

test('dataset_info.json: a plain ShareGPT set has no problems; only a ranking set with role/content tags is flagged', () => {
  // pins: the "ranking set with role/content tags" problem is reported for that combination only
  const dir = registryDir({
    plain: { file_name: 'plain.jsonl', formatting: 'sharegpt' },
    openai: { file_name: 'openai.jsonl', formatting: 'sharegpt', tags: { role_tag: 'role', content_tag: 'content' } },
    ranked: { file_name: 'ranked.jsonl', formatting: 'sharegpt', ranking: true },
    rankedOpenai: { file_name: 'ranked-openai.jsonl', formatting: 'sharegpt', ranking: true, tags: { role_tag: 'role', content_tag: 'content' } },
  });
  const plain = datasetInfoFor(join(dir, 'plain.jsonl'));
  assert.equal(plain?.format, 'sharegpt');
  assert.deepEqual(plain?.problems, []);
  const openai = datasetInfoFor(join(dir, 'openai.jsonl'));
  assert.equal(openai?.format, 'language-modeling');
  assert.deepEqual(openai?.problems, []);
  const ranked = datasetInfoFor(join(dir, 'ranked.jsonl'));
  assert.equal(ranked?.format, 'sharegpt-preference');
  assert.deepEqual(ranked?.problems, []);
  const rankedOpenai = datasetInfoFor(join(dir, 'ranked-openai.jsonl'));
  assert.equal(rankedOpenai?.format, 'sharegpt-preference');
  assert.deepEqual(rankedOpenai?.problems, [
    'dataset_info.json: "rankedOpenai" is a ranking set with role/content tags; its turns are checked as ShareGPT (from/value) turns',
  ]);
});

test('retagTurns: a turn under role/text tags keeps a stray "from" key apart as "(from)", not over the role', async () => {
  // pins: a file key that collides with our ShareGPT key is renamed "(from)", so the role read from the registry's tag wins
  const { retagTurns } = await import('../../src/core/formats/llamaFactory');
  const out = retagTurns({ conversations: [{ role: 'user', text: 'hi', from: 'web' }] }, { role: 'role', content: 'text', roles: {} });
  assert.deepEqual({ ...(out.conversations as object[])[0] }, { from: 'user', value: 'hi', '(from)': 'web' });
});

test('dataset_info.json: the key map holds only the keys that differ from ours (ShareGPT defaults, role/content sets, alpaca ranking)', () => {
  // pins: keyMap per format: nothing for a default ShareGPT or messages set, the default instruction/input for an alpaca ranking set
  const dir = registryDir({
    plain: { file_name: 'plain.jsonl', formatting: 'sharegpt', columns: { messages: 'conversations', images: 'images' } },
    openai: {
      file_name: 'openai.jsonl',
      formatting: 'sharegpt',
      columns: { messages: 'messages', images: 'images', videos: 'videos' },
      tags: { role_tag: 'role', content_tag: 'content' },
    },
    ranked: { file_name: 'ranked.jsonl', ranking: true, columns: { chosen: 'chosen', rejected: 'rejected' } },
  });
  assert.deepEqual(datasetInfoFor(join(dir, 'plain.jsonl'))?.keyMap, {});
  const openai = datasetInfoFor(join(dir, 'openai.jsonl'));
  assert.equal(openai?.format, 'language-modeling');
  assert.deepEqual(openai?.keyMap, {});
  const ranked = datasetInfoFor(join(dir, 'ranked.jsonl'));
  assert.equal(ranked?.format, 'preference');
  assert.deepEqual(ranked?.keyMap, { instruction: 'prompt', input: '' });
});

test('dataset_info.json: the format of each kind of entry, and the key map from the file keys to ours', () => {
  // pins: alpaca by default (with its default columns), pre-training text, alpaca ranking with a renamed query, ShareGPT columns
  const dir = registryDir({
    alpaca: { file_name: 'alpaca.json' },
    custom: { file_name: 'custom.jsonl', columns: { prompt: 'q', query: 'ctx', response: 'a', history: 'hist', system: 'sys', kto_tag: 'label' } },
    pt: { file_name: 'pt.jsonl', columns: { prompt: 'content' } },
    ptText: { file_name: 'pt-text.jsonl', columns: { prompt: 'text' } },
    withQuery: { file_name: 'with-query.jsonl', columns: { prompt: 'q', query: 'ctx' } },
    rank: { file_name: 'rank.jsonl', ranking: true, columns: { prompt: 'q', query: 'ctx', chosen: 'good', rejected: 'bad' } },
    share: { file_name: 'share.jsonl', formatting: 'sharegpt', columns: { messages: 'turns', system: 'sys', tools: 'fns', images: 'pics' } },
    shareRank: { file_name: 'share-rank.jsonl', formatting: 'sharegpt', ranking: true, columns: { chosen: 'better', rejected: 'worse' } },
    oai: { file_name: 'oai.jsonl', formatting: 'sharegpt', columns: { messages: 'msgs', system: 'sys' }, tags: { role_tag: 'role', content_tag: 'content' } },
    oaiDefault: { file_name: 'oai-default.jsonl', formatting: 'sharegpt', tags: { content_tag: 'content' } },
    numbers: { file_name: 'numbers.jsonl', columns: { prompt: 3, response: 'out' } },
  });
  try {
    const info = (f: string) => {
      const i = datasetInfoFor(join(dir, f))!;
      return [i.name, i.format, i.keyMap, i.problems, i.source];
    };
    const src = join(dir, DATASET_INFO);
    assert.deepEqual(info('alpaca.json'), ['alpaca', 'alpaca', {}, [], src]);
    assert.deepEqual(info('custom.jsonl'), [
      'custom',
      'alpaca',
      { q: 'instruction', ctx: 'input', a: 'output', hist: 'history', sys: 'system', label: 'kto_tag' },
      [],
      src,
    ]);
    // pre-training: the text column; like every messages-capable format, "conversations" reads as messages
    assert.deepEqual(info('pt.jsonl'), ['pt', 'language-modeling', { content: 'text', conversations: 'messages' }, [], src]);
    assert.deepEqual(info('pt-text.jsonl'), ['ptText', 'language-modeling', { conversations: 'messages' }, [], src]);
    assert.deepEqual(info('with-query.jsonl'), ['withQuery', 'alpaca', { q: 'instruction', ctx: 'input' }, [], src]);
    assert.deepEqual(info('rank.jsonl'), ['rank', 'preference', { q: 'prompt', good: 'chosen', bad: 'rejected', ctx: '' }, [], src]);
    assert.deepEqual(info('share.jsonl'), ['share', 'sharegpt', { turns: 'conversations', sys: 'system', fns: 'tools', pics: 'images' }, [], src]);
    assert.deepEqual(info('share-rank.jsonl'), ['shareRank', 'sharegpt-preference', { better: 'chosen', worse: 'rejected' }, [], src]);
    assert.deepEqual(info('oai.jsonl'), ['oai', 'language-modeling', { msgs: 'messages', sys: 'system' }, [], src]);
    assert.deepEqual(info('oai-default.jsonl'), ['oaiDefault', 'language-modeling', { conversations: 'messages' }, [], src]);
    // a column that is not a string is ignored: the default "instruction" stays
    assert.deepEqual(info('numbers.jsonl'), ['numbers', 'alpaca', { out: 'output' }, [], src]);
    // a file no entry names, and a file the registry does not sit beside
    assert.equal(datasetInfoFor(join(dir, 'other.jsonl')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dataset_info.json: a folder entry covers the files in it; the registry one level up is found, two levels up is not', () => {
  const dir = registryDir({ shards: { file_name: 'shards', formatting: 'sharegpt' }, deep: { file_name: 'a', formatting: 'sharegpt' } });
  try {
    mkdirSync(join(dir, 'shards'));
    mkdirSync(join(dir, 'a', 'b', 'c'), { recursive: true });
    // the registry two folders above the file is not looked at, though its entry names a folder holding the file
    assert.equal(datasetInfoFor(join(dir, 'a', 'b', 'part.jsonl')), undefined);
    assert.equal(datasetInfoFor(join(dir, 'a', 'part.jsonl'))?.name, 'deep');
    assert.equal(datasetInfoFor(join(dir, 'shards', 'part-0.jsonl'))?.name, 'shards');
    // a sibling whose name starts like the folder is not in it
    assert.equal(datasetInfoFor(join(dir, 'shards-old', 'part-0.jsonl')), undefined);
    assert.equal(datasetInfoFor(join(dir, 'shards'))?.name, 'shards');
    assert.equal(datasetInfoFor(join(dir, 'a', 'b', 'c', 'part.jsonl')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dataset_info.json: an unreadable or non-object registry decides nothing; an edited registry is read again', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-lfreg-'));
  try {
    const reg = join(dir, DATASET_INFO);
    const data = join(dir, 'd.jsonl');
    for (const [i, text] of ['{not json', '[{"file_name": "d.jsonl"}]', 'null', '"d.jsonl"'].entries()) {
      writeFileSync(reg, text);
      utimesSync(reg, new Date(), new Date(1_900_000_000_000 + i * 1000));
      assert.equal(datasetInfoFor(data), undefined, text);
    }
    writeFileSync(reg, JSON.stringify({ d: { file_name: 'd.jsonl', formatting: 'sharegpt' } }));
    utimesSync(reg, new Date(), new Date(2_000_000_000_000));
    assert.equal(datasetInfoFor(data)?.format, 'sharegpt');
    // the same mtime: the cached registry is used
    writeFileSync(reg, JSON.stringify({ d: { file_name: 'd.jsonl' } }));
    utimesSync(reg, new Date(), new Date(2_000_000_000_000));
    assert.equal(datasetInfoFor(data)?.format, 'sharegpt');
    utimesSync(reg, new Date(), new Date(2_000_000_100_000));
    assert.equal(datasetInfoFor(data)?.format, 'alpaca');
    // a non-object registry beside the file stops the search (the one above is not consulted)
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    writeFileSync(join(sub, DATASET_INFO), '[]');
    writeFileSync(reg, JSON.stringify({ s: { file_name: 'sub' } }));
    utimesSync(reg, new Date(), new Date(2_000_000_200_000));
    assert.equal(datasetInfoFor(join(sub, 'x.jsonl')), undefined);
    // a registry beside the file that does not name it: the one above is asked
    writeFileSync(join(sub, DATASET_INFO), '{"other": {"file_name": "other.jsonl"}}');
    assert.equal(datasetInfoFor(join(sub, 'x.jsonl'))?.name, 's');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dataset_info.json: ShareGPT tags other than the defaults become turn tags; default or empty tags give none', () => {
  const dir = registryDir({
    plain: { file_name: 'plain.jsonl', formatting: 'sharegpt', tags: { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt' } },
    empty: { file_name: 'empty.jsonl', formatting: 'sharegpt', tags: { role_tag: '', user_tag: '', assistant_tag: 3 } },
    custom: {
      file_name: 'custom.jsonl',
      formatting: 'sharegpt',
      tags: {
        role_tag: 'speaker',
        content_tag: 'text',
        user_tag: 'customer',
        assistant_tag: 'agent',
        observation_tag: 'obs',
        function_tag: 'call',
        system_tag: 'sys',
      },
    },
    rolesOnly: { file_name: 'roles-only.jsonl', formatting: 'sharegpt', ranking: true, tags: { user_tag: 'user', assistant_tag: 'assistant' } },
    contentOnly: { file_name: 'content-only.jsonl', formatting: 'sharegpt', tags: { content_tag: 'text' } },
    roleOnly: { file_name: 'role-only.jsonl', formatting: 'sharegpt', tags: { role_tag: 'speaker' } },
    alpaca: { file_name: 'alpaca.jsonl', tags: { role_tag: 'speaker' } },
  });
  try {
    const tags = (f: string) => datasetInfoFor(join(dir, f))?.turnTags;
    assert.equal(tags('plain.jsonl'), undefined);
    assert.equal('turnTags' in datasetInfoFor(join(dir, 'plain.jsonl'))!, false);
    assert.equal(tags('empty.jsonl'), undefined);
    assert.deepEqual(tags('custom.jsonl'), {
      role: 'speaker',
      content: 'text',
      roles: { customer: 'human', agent: 'gpt', obs: 'observation', call: 'function_call', sys: 'system' },
    });
    assert.deepEqual(tags('roles-only.jsonl'), { role: 'from', content: 'value', roles: { user: 'human', assistant: 'gpt' } });
    assert.deepEqual(tags('content-only.jsonl'), { role: 'from', content: 'text', roles: {} });
    assert.deepEqual(tags('role-only.jsonl'), { role: 'speaker', content: 'value', roles: {} });
    assert.equal(tags('alpaca.jsonl'), undefined);
    assert.deepEqual(fileRoleNames(tags('custom.jsonl')!), ['customer', 'agent', 'obs', 'call', 'sys']);
    assert.deepEqual(fileRoleNames(tags('roles-only.jsonl')!), ['user', 'assistant', 'observation', 'function_call', 'system']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retagTurns: conversations and the single chosen / rejected turns are read under the tags; the original is not touched', () => {
  const tags = { role: 'speaker', content: 'text', roles: { customer: 'human', agent: 'gpt' } };
  const rec = {
    conversations: [
      { speaker: 'customer', text: 'Hi' },
      { speaker: 'agent', text: 'Hello', value: 'old' },
      { speaker: 'toString', text: 'x' },
      'str',
      null,
      [1],
    ],
    chosen: { speaker: 'agent', text: 'Good' },
    rejected: { speaker: 'bot', text: 'Bad', from: 'x' },
    id: 7,
  };
  const before = JSON.stringify(rec);
  const out = retagTurns(rec, tags);
  assert.equal(JSON.stringify(rec), before);
  assert.equal(out.id, 7);
  const plain = (v: unknown) => JSON.parse(JSON.stringify(v));
  assert.deepEqual(plain(out.conversations), [
    { from: 'human', value: 'Hi' },
    { from: 'gpt', value: 'Hello', '(value)': 'old' },
    { from: 'toString', value: 'x' },
    'str',
    null,
    [1],
  ]);
  assert.deepEqual(plain(out.chosen), { from: 'gpt', value: 'Good' });
  assert.deepEqual(plain(out.rejected), { from: 'bot', value: 'Bad', '(from)': 'x' });
  // no chosen / rejected keys: none are added; conversations that are not a list are left as they are
  const bare = retagTurns({ conversations: 'x' }, tags);
  assert.deepEqual(Object.keys(bare), ['conversations']);
  assert.equal(bare.conversations, 'x');
  // a role value that is not a string is kept as is, even where its text is a role name of the file
  assert.deepEqual(plain(retagTurns({ conversations: [{ speaker: 1, text: 2 }] }, { ...tags, roles: { '1': 'human' } }).conversations), [
    { from: 1, value: 2 },
  ]);
});

test('renameKeys and fileKeyOf: keys renamed by the map, a hidden column kept as "(key)", and the way back', () => {
  const keyMap = { q: 'instruction', a: 'output', ctx: HIDDEN };
  const out = renameKeys({ q: 'Capital?', a: 'Paris', ctx: 'geo', extra: 1, toString: 2 }, keyMap);
  assert.deepEqual({ ...out }, { instruction: 'Capital?', output: 'Paris', '(ctx)': 'geo', extra: 1, toString: 2 });
  assert.equal(Object.getPrototypeOf(out), null);
  const back = fileKeyOf(keyMap);
  assert.deepEqual({ ...back }, { instruction: 'q', output: 'a', '(ctx)': 'ctx' });
  assert.equal(Object.getPrototypeOf(back), null);
  // the same map object gives the same reversed object
  assert.equal(fileKeyOf(keyMap), back);
  assert.deepEqual({ ...fileKeyOf({}) }, {});
  assert.equal(HIDDEN, '');
});
