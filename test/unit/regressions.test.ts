// Small real bugs an audit planted in src/core, one at a time, that the suite did not catch: each test
// here fails with its bug (README: "Planted bugs and the tests that catch them").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeLine } from '../../src/core/checks/analyzeLine';
import { validateText } from '../../src/core/checks/datasetModel';
import { indexLines } from '../../src/core/records/recordIndex';
import { planSplit } from '../../src/core/sampling/split';
import { codes, covered, diags, OPTS } from './helpers';

const u = (content: string) => ({ role: 'user', content });
const a = (content: string) => ({ role: 'assistant', content });

test('missing-key points at the object that lacks the key: a non-empty range on its brace, or on the key that holds it', () => {
  const cases: [string, string][] = [
    ['{"prompt": "p", "chosen": "c"}', '{'],
    ['{"messages": [{"content": "q"}, {"role": "assistant", "content": "x"}]}', '{'],
    [
      '{"input": {"tools": []}, "preferred_output": [{"role": "assistant", "content": "a"}], "non_preferred_output": [{"role": "assistant", "content": "b"}]}',
      '"input"',
    ],
  ];
  for (const [line, text] of cases) {
    const d = diags([line]).find((x) => x.code === 'missing-key');
    assert.ok(d, `missing-key on ${line}: ${JSON.stringify(diags([line]).map((x) => x.code))}`);
    assert.ok(d.end > d.start, `a zero-width range hides the squiggle: ${d.start}..${d.end} in ${line}`);
    assert.equal(covered(line, d), text, line);
  }
  // the second case: the turn without a role is the first element of messages
  const turn = diags([cases[1]![0]]).find((x) => x.code === 'missing-key')!;
  assert.equal(turn.start, cases[1]![0].indexOf('{"content"'));
});

test('OpenAI preference: identical preferred and non-preferred outputs are flagged on non_preferred_output', () => {
  const same = { input: { messages: [u('What is 2+2?')] }, preferred_output: [a('4')], non_preferred_output: [a('4')] };
  const line = JSON.stringify(same);
  for (const d of [diags([same]), analyzeLine(line, OPTS).diagnostics]) {
    const hit = d.filter((x) => x.code === 'chosen-equals-rejected');
    assert.equal(hit.length, 1, JSON.stringify(d.map((x) => x.code)));
    assert.equal(line.slice(hit[0]!.start, hit[0]!.end), JSON.stringify(same.non_preferred_output));
  }
  assert.deepEqual(
    diags([{ ...same, non_preferred_output: [a('5')] }]).map((x) => x.code),
    [],
  );
});

test('consecutive tool turns (one per parallel tool call) are not a repeated role; consecutive users are', () => {
  const call = (id: string) => ({ id, type: 'function', function: { name: 'lookup', arguments: '{}' } });
  const parallel = {
    messages: [
      u('Weather in Paris and Rome?'),
      { role: 'assistant', content: null, tool_calls: [call('1'), call('2')] },
      { role: 'tool', tool_call_id: '1', content: 'sunny' },
      { role: 'tool', tool_call_id: '2', content: 'rain' },
      a('Paris is sunny, Rome has rain.'),
    ],
  };
  // through the file model (the byte scan may prove the line clean) and through analyzeLine itself
  assert.deepEqual(
    diags([parallel]).map((d) => d.code),
    [],
  );
  assert.deepEqual(
    analyzeLine(JSON.stringify(parallel), OPTS).diagnostics.map((d) => d.code),
    [],
  );
  const twoUsers = { messages: [u('q'), u('q again'), a('x')] };
  assert.deepEqual(
    analyzeLine(JSON.stringify(twoUsers), OPTS).diagnostics.map((d) => d.code),
    ['repeated-role'],
  );
});

test('the diagnostic cap: exactly N problems under a cap of N are all shown, with no summary; N + 1 adds "1 more"', () => {
  const broken = (n: number) => Array.from({ length: n }, (_, i) => `{"oops": ${i}`).join('\n');
  const exact = validateText(broken(10), OPTS, 10);
  assert.equal(exact.diagnostics.length, 10);
  assert.ok(
    exact.diagnostics.every((d) => d.code === 'invalid-json'),
    JSON.stringify(exact.diagnostics.map((d) => d.code)),
  );
  const over = validateText(broken(11), OPTS, 10);
  assert.equal(over.diagnostics.length, 11);
  assert.equal(over.diagnostics[10]!.code, 'too-many-problems');
  assert.match(over.diagnostics[10]!.message, /^1 more problems are not shown \(11 errors, 0 warnings in all\)/);
  assert.equal(over.errors, 11);
});

test('the held-out split follows its seed: the same seed draws the same set, other seeds other sets', () => {
  const refs = indexLines(Array.from({ length: 400 }, (_, i) => JSON.stringify({ prompt: `Question ${i}?`, completion: `Answer ${i}.` })));
  const held = (seed: number) => [...planSplit(refs, { seed, fraction: 0.1 }).heldoutLines].sort((x, y) => x - y).join(',');
  assert.equal(held(3), held(3));
  const sets = new Set([0, 1, 2, 3, 4].map(held));
  assert.equal(sets.size, 5, 'five seeds, five different held-out sets');
  assert.equal(planSplit(refs, { seed: 4 }).seed, 4);
});

test('a record with no keys says so; a tokenizer that fails on a record leaves the estimate to judge its length', () => {
  assert.match(analyzeLine('{}', OPTS).diagnostics.find((d) => d.code === 'unknown-format')!.message, /^The record matches no dataset format \(keys: none\)\./);
  const failing = {
    source: 'tokenizer' as const,
    description: 'a tokenizer that throws',
    count(): never {
      throw new Error('tokenizer failure');
    },
  };
  const long = JSON.stringify({ prompt: 'Q?', completion: 'word '.repeat(200) });
  const d = analyzeLine(long, { ...OPTS, maxTokens: 50, tokenCounter: failing }).diagnostics.filter((x) => x.code === 'too-long');
  assert.equal(d.length, 1);
  assert.match(d[0]!.message, /^The record is about \d+ tokens \(estimated at 4 characters each/);
  assert.deepEqual(
    analyzeLine(JSON.stringify({ prompt: 'Q?', completion: 'Short.' }), { ...OPTS, maxTokens: 50, tokenCounter: failing }).diagnostics.map((x) => x.code),
    [],
  );
});

test('tool-call-no-name on a call without a function object points at the call, or at its non-object function', () => {
  const line = (call: object) =>
    JSON.stringify({
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', tool_calls: [call] },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        { role: 'assistant', content: 'Done.' },
      ],
    });
  const none = line({ id: 'c1', type: 'function' });
  const dn = diags([none]).find((x) => x.code === 'tool-call-no-name')!;
  assert.equal(covered(none, dn), '{"id":"c1","type":"function"}');
  assert.match(dn.message, /has no "function" object: write \{"type": "function", "function": \{"name": \.\.\., "arguments": \.\.\.\}\}\./);
  const str = line({ id: 'c1', type: 'function', function: 'get_weather' });
  assert.equal(
    covered(
      str,
      diags([str]).find((x) => x.code === 'tool-call-no-name')!,
    ),
    '"get_weather"',
  );
  // a function object without a usable name: at its name when it has one, else at the object
  const at = (fn: object) => {
    const l = line({ id: 'c1', type: 'function', function: fn });
    const d = diags([l]).find((x) => x.code === 'tool-call-no-name')!;
    assert.equal(d.message, "messages[1].tool_calls[0].function has no name: name the function it calls (one of the record's tools).");
    return covered(l, d);
  };
  assert.equal(at({ arguments: '{}' }), '{"arguments":"{}"}');
  assert.equal(at({ name: '', arguments: '{}' }), '""');
  assert.equal(at({ name: 3, arguments: '{}' }), '3');
});

test('where the record checks point and what they say: types named, media lists, image turns', () => {
  const num = JSON.stringify({ prompt: 3, completion: 'x' });
  assert.match(diags([num]).find((d) => d.code === 'wrong-type')!.message, /but it is a number\.$/);
  const bool = JSON.stringify({ prompt: true, completion: 'x' });
  assert.match(diags([bool]).find((d) => d.code === 'wrong-type')!.message, /but it is a boolean\.$/);
  const media = JSON.stringify({
    conversations: [
      { from: 'human', value: '<image><image>What is shown?' },
      { from: 'gpt', value: 'A cat.' },
    ],
    images: ['a.png'],
  });
  const m = diags([media]).find((d) => d.code === 'media-count-mismatch')!;
  assert.equal(covered(media, m), '["a.png"]');
  const img = JSON.stringify({ messages: [u('q'), { role: 'assistant', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] });
  const i = diags([img]).find((d) => d.code === 'image-outside-user-turn')!;
  assert.match(i.message, /is an image in an assistant turn: OpenAI accepts images only in user turns\. Move it to a user turn\.$/);
});

test('blank answers are found in every shape: content parts of blank text, conversational preference, OpenAI preference', () => {
  const blankParts = JSON.stringify({ messages: [u('q'), { role: 'assistant', content: [{ type: 'text', text: '  ' }] }] });
  assert.ok(
    codes([blankParts]).some((c) => c.endsWith(':empty-content')),
    codes([blankParts]).join(),
  );
  const someText = JSON.stringify({
    messages: [
      u('q'),
      {
        role: 'assistant',
        content: [
          { type: 'text', text: ' ' },
          { type: 'text', text: 'Yes.' },
        ],
      },
    ],
  });
  assert.ok(!codes([someText]).some((c) => c.endsWith(':empty-content')));
  const convPref = JSON.stringify({ prompt: [u('q')], chosen: [a('  ')], rejected: [a('No.')] });
  assert.ok(
    codes([convPref]).some((c) => c.endsWith(':empty-content')),
    codes([convPref]).join(),
  );
  const openai = JSON.stringify({
    input: { messages: [u('q')] },
    preferred_output: [a(' ')],
    non_preferred_output: [a('No.')],
  });
  assert.ok(
    codes([openai]).some((c) => c.endsWith(':empty-content')),
    codes([openai]).join(),
  );
});

test('few-records marks the first character of the first record, whatever its length', () => {
  const d = diags([{ prompt: 'A long prompt here.', completion: 'A long answer.' }], { minRecords: 5 }).find((x) => x.code === 'few-records')!;
  assert.deepEqual([d.line, d.start, d.end], [0, 0, 1]);
});

test('JSON errors name what they found, at its place: single quotes around a value, a closer where a value belongs, an unclosed array; an escaped backslash is content', () => {
  const msg = (line: string) => analyzeLine(line, OPTS).diagnostics.map((d) => `${d.start}-${d.end}: ${d.message}`);
  assert.deepEqual(msg(`{"prompt": 'x'}`), ['11-12: Invalid JSON: Single quotes are not valid JSON: use double quotes.']);
  assert.deepEqual(msg('{"prompt": }'), ['11-12: Invalid JSON: Expected a value but found "}".']);
  assert.deepEqual(msg('{"prompt": ]'), ['11-12: Invalid JSON: Expected a value but found "]".']);
  assert.deepEqual(msg('{"prompt": "x", "completion": ["a"'), ['30-34: Invalid JSON: Unclosed array: add the closing ].']);
  assert.deepEqual(msg('{"prompt": "\\\\", "completion": "x"}'), [], 'a prompt of one backslash is not empty');
});

test('the format schemas: each typed member is checked (turn role and thinking, tools and their items, an optional prompt, stepwise completions, ShareGPT preference turns)', () => {
  const wrong = (r: object) =>
    diags([r])
      .filter((d) => d.code === 'wrong-type' || d.code === 'misspelt-key')
      .map((d) => d.message);
  assert.deepEqual(wrong({ messages: [u('q'), { role: 3, content: 'x' }] }), [
    'messages[1].role must be a string (conversational language-modeling), but it is a number.',
  ]);
  assert.deepEqual(wrong({ messages: [u('q'), { ...a('x'), thinking: 3 }] }), [
    'messages[1].thinking must be a string (conversational language-modeling), but it is a number.',
  ]);
  assert.deepEqual(wrong({ messages: [u('q'), a('x')], tools: 3 }), [
    'tools must be a list or a string (conversational language-modeling), but it is a number.',
  ]);
  assert.deepEqual(wrong({ messages: [u('q'), a('x')], tools: [3] }), ['tools[0] must be an object (conversational language-modeling), but it is a number.']);
  assert.deepEqual(wrong({ prompt: 3, chosen: 'c', rejected: 'r' }), ['prompt must be a string (standard preference), but it is a number.']);
  assert.deepEqual(wrong({ prompt: 'p', completions: 'x', labels: [true] }), ['completions must be a list (stepwise-supervision), but it is a string.']);
  const sg = (chosen: object, rejected: object) => ({ conversations: [{ from: 'human', value: 'q' }], chosen, rejected });
  assert.deepEqual(wrong(sg({ from: 'gpt', valu: 'x' }, { from: 'gpt', value: 'r' })), ['Unknown key "valu": did you mean "value"? chosen needs "value".']);
  assert.deepEqual(wrong(sg({ from: 'gpt', value: 'x' }, { frm: 'gpt', value: 'r' })), ['Unknown key "frm": did you mean "from"? rejected needs "from".']);
});

test('templateSignature: the first three words, lower-cased, z and Z and digits inside words; the scan says where it ended', async () => {
  const { templateSignature, signatureScan, promptLead, leadScan } = await import('../../src/core/checks/template');
  assert.equal(templateSignature('Quiz: Zebra-z9 buzz, then more'), 'quiz zebra z9');
  assert.deepEqual(signatureScan, { complete: true, end: 'Quiz: Zebra-z9'.length });
  assert.equal(templateSignature('Zz zZ 0z all'), 'zz zz 0z');
  assert.equal(templateSignature("You're a tutor. Explain"), "you're a tutor");
  assert.equal(templateSignature('Two words'), 'two words');
  assert.deepEqual(signatureScan, { complete: false, end: 9 });
  // Alpaca's lead: the system prompt when it has one (marked), else the instruction
  assert.equal(promptLead({ instruction: 'Translate this.', output: 'x' }, 'alpaca'), 'Translate this.');
  assert.equal(leadScan.system, false);
  assert.equal(promptLead({ instruction: 'Translate this.', system: 3, output: 'x' }, 'alpaca'), 'Translate this.');
  assert.equal(promptLead({ instruction: 'Translate this.', system: 'Be brief.', output: 'x' }, 'alpaca'), 'Be brief.');
  assert.equal(leadScan.system, true);
  // an instruction that is not a string has no lead text: the line gets its wrong-type, and no template
  assert.equal(promptLead({ instruction: ['Translate this.'], output: 'x' }, 'alpaca'), undefined);
  const listed = analyzeLine(JSON.stringify({ instruction: ['Translate this.'], output: 'x' }), OPTS);
  assert.deepEqual(
    listed.diagnostics.map((d) => d.code),
    ['wrong-type'],
  );
  assert.equal(listed.template, undefined);
});
