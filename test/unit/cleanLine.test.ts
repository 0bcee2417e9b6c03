// The byte-level scan (checks/cleanLine.ts) against analyzeLine: whenever the scan says a line is clean,
// analyzeLine must find no diagnostic and the same facts (length, variant, content hash, template).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeLine, type LineFacts } from '../../src/core/checks/analyzeLine';
import { scanCleanLine } from '../../src/core/checks/cleanLine';
import { DEFAULT_OPTIONS, validateText, type ValidationOptions } from '../../src/core/checks/datasetModel';
import { validateFile } from '../../src/core/validation/validateFile';
import { mulberry32 } from '../../bench/generate';

type R = () => number;
const pick = <T>(r: R, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

// texts: plain, non-ASCII, escapes of every kind, whitespace that trim() removes (some blank)
const TEXTS = [
  'You are a careful assistant. Explain gravity.',
  'Given the following text, summarise it.',
  'naïve café 数据 ñandú',
  'emoji 😀 here',
  'line\\nbreak and \\"quotes\\" and \\\\ and \\/',
  '\\u00e9t\\u00E9 \\ud83d\\ude00',
  'lone \\ud800 surrogate',
  'You\\u0020are a tutor',
  'x',
  '',
  ' ',
  '   \\n\\t ',
  '\u00a0',
  '\u3000',
  '\\u00a0',
  // white space beyond ASCII that trim() removes, alone (blank) and before text; text that begins beyond ASCII
  '\ufeff\u1680\u2000\u200a\u2028\u2029\u202f\u205f',
  '\u3000\u00a0x',
  '\u2000数',
  'Ñandú',
  'ありがとう',
  'a\u2028b',
  "you're right, it's fine",
  'Hello',
  'Hello',
  'A'.repeat(70),
  'é'.repeat(45),
  '😀'.repeat(25),
  'ab😀'.repeat(14),
  'You are a' + ' very'.repeat(60) + ' long prompt',
];
const ROLES = ['system', 'user', 'assistant', 'tool', 'human', 'gpt', 'User', 'bot', 'observation', 'function_call'];

function str(r: R): string {
  return `"${pick(r, TEXTS)}"`;
}

function turns(r: R, roleKey: string, contentKey: string, shape: 'conversation' | 'prompt' | 'response'): string {
  const n = 1 + Math.floor(r() * 4);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    // mostly a proper conversation, sometimes any role
    let role =
      shape === 'response'
        ? 'assistant'
        : i === 0 && r() < 0.4
          ? 'system'
          : (i % 2 === 0) === (out.length > 0 && out[0]!.includes('system'))
            ? 'assistant'
            : 'user';
    if (shape === 'prompt' && i === n - 1) role = 'user';
    if (roleKey === 'from') role = role === 'user' ? pick(r, ['human', 'user']) : role === 'assistant' ? pick(r, ['gpt', 'assistant']) : role;
    if (r() < 0.1) role = pick(r, ROLES);
    const members = [
      `"${roleKey}": "${role}"`,
      `"${contentKey}": ${
        r() < 0.9
          ? `"${pick(
              r,
              TEXTS.filter((t) => t.trim()),
            )}"`
          : pick(r, [str(r), 'null', '[]', '1'])
      }`,
    ];
    if (r() < 0.05) members.push(pick(r, ['"name": "n"', '"weight": 1', `"${roleKey}": "user"`, '"tool_calls": []']));
    if (r() < 0.5) members.reverse();
    if (r() < 0.03) members.pop();
    out.push(`{${members.join(pick(r, [', ', ',', ' , ']))}}`);
  }
  if (r() < 0.03) return '[]';
  return `[${out.join(pick(r, [', ', ',']))}]`;
}

/** One ShareGPT answer turn (LLaMA-Factory's chosen / rejected), now and then from the wrong speaker or blank. */
function answerTurn(r: R): string {
  const from = r() < 0.9 ? pick(r, ['gpt', 'gpt', 'assistant', 'function_call']) : pick(r, ROLES);
  const value =
    r() < 0.9
      ? `"${pick(
          r,
          TEXTS.filter((t) => t.trim()),
        )}"`
      : str(r);
  return r() < 0.5 ? `{"from": "${from}", "value": ${value}}` : `{"value": ${value}, "from": "${from}"}`;
}

const chat = (r: R, shape: 'conversation' | 'prompt' | 'response') => turns(r, 'role', 'content', shape);

// tool calling: mostly OpenAI-shaped and valid, with every defect the tool checks know, some now and then
const ARGS = ['"{\\"city\\": \\"Paris\\"}"', '"{}"', '"\\"{\\\\\\"city\\\\\\": 1}\\""', '"{city}"', '"[1]"', '{"city": "Paris"}', '"3"'];
const TOOL_DEFS = [
  '[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]',
  '[{"type": "function", "function": {"name": "get_weather"}}, {"type": "function", "function": {"name": "search"}}]',
  '"[{\\"name\\": \\"get_weather\\", \\"parameters\\": {}}]"',
  '""',
  '"[]"',
  '[]',
  '"{}"',
  '"oops"',
  '[{"type": "function", "function": {"parameters": {}}}]',
  '[{"type": "function", "function": {"name": "get_weather", "parameters": []}}]',
  '[1]',
];
function toolChat(r: R): string {
  const id = pick(r, ['call_1', 'c2', 'call_\\u00e9']);
  // TRL's shape: no ids, arguments as an object, the tool result naming the function
  const trl = r() < 0.3;
  const call: string[] = [];
  if (!trl && r() < 0.85) call.push(`"id": "${id}"`);
  else if (r() < 0.05) call.push(pick(r, ['"id": 3', '"id": "x", "id": "y"', '"index": 0']));
  if (r() < 0.9) call.push(`"type": "${r() < 0.93 ? 'function' : 'tool'}"`);
  const fn: string[] = [];
  if (r() < 0.95) fn.push(`"name": "${r() < 0.85 ? 'get_weather' : pick(r, ['search', 'get_wether', ''])}"`);
  if (r() < 0.95)
    fn.push(`"arguments": ${trl && r() < 0.8 ? pick(r, ['{"city": "Paris"}', '{}', '{"n": [1, {"a": null}]}']) : r() < 0.7 ? ARGS[0] : pick(r, ARGS)}`);
  if (r() < 0.03) fn.push(pick(r, ['"name": "search"', '"description": "d"', '"arguments": "{}"']));
  if (r() < 0.5) fn.reverse();
  if (r() < 0.97) call.push(`"function": {${fn.join(', ')}}`);
  if (r() < 0.03) call.push(pick(r, ['"type": "function"', '"function": {"name": "search"}']));
  if (r() < 0.5) call.reverse();
  const second =
    r() < 0.15
      ? `, {${trl ? '' : '"id": "call_2", '}"type": "function", "function": {"name": "get_weather", "arguments": ${trl ? '{"city": "Rome"}' : '"{\\"city\\": \\"Rome\\"}"'}}}`
      : '';
  const calls = r() < 0.95 ? `[{${call.join(', ')}}${second}${r() < 0.1 ? ', 1' : ''}]` : '[]';
  const assistant = [`"role": "assistant"`, `"tool_calls": ${calls}`];
  if (r() < 0.8) assistant.push(`"content": ${pick(r, ['null', '""', '"Let me check."', '" "'])}`);
  if (r() < 0.5) assistant.reverse();
  const tool = [`"role": "tool"`, `"content": "${pick(r, ['18 C', '', 'ok'])}"`];
  if (trl) {
    if (r() < 0.8) tool.push(`"name": ${pick(r, ['"get_weather"', '"get_weather"', '3', '""'])}`);
    if (r() < 0.05) tool.push(`"tool_call_id": "${id}"`);
  } else if (r() < 0.85) tool.push(`"tool_call_id": ${r() < 0.85 ? `"${id}"` : pick(r, ['"other"', '3', '"call_2"'])}`);
  if (r() < 0.02) tool.push('"name": "a", "name": "b"');
  if (r() < 0.5) tool.reverse();
  const head = r() < 0.3 ? `{"role": "system", "content": "You are a careful assistant."}, ` : '';
  const user =
    r() < 0.95
      ? `{"role": "user", "content": "${pick(
          r,
          TEXTS.filter((t) => t.trim()),
        )}"}, `
      : '';
  const messages = `[${head}${user}{${assistant.join(', ')}}, {${tool.join(', ')}}, {"role": "assistant", "content": "It is 18 C."}]`;
  const members = [`"messages": ${messages}`];
  if (r() < 0.85) members.push(`"tools": ${r() < 0.7 ? TOOL_DEFS[0] : pick(r, TOOL_DEFS)}`);
  if (r() < 0.4) members.push(`"parallel_tool_calls": ${pick(r, ['false', 'true', '"false"'])}`);
  return members.join(', ');
}

// typed content parts (OpenAI): mostly valid, with every defect checkContentParts knows, now and then
const PARTS_OK = [
  '{"type": "text", "text": "Describe this picture."}',
  '{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}',
  '{"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}}',
  '{"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}',
  '{"type": "file", "file": {"file_id": "file-abc"}}',
  '{"type": "file", "file": {"file_data": "JVBERi0=", "filename": "a.pdf"}}',
  '{"type": "image"}',
  '{"text": "What is here?", "type": "text"}',
];
const PARTS_BAD = [
  '{"type": "text"}',
  '{"type": "text", "text": 3}',
  '{"type": "text", "text": "  "}',
  '{"type": "image_url", "image_url": "https://example.com/a.png"}',
  '{"type": "image_url", "image_url": {"url": "x", "detail": "max"}}',
  '{"type": "image_url"}',
  '{"type": "input_audio", "input_audio": {"data": "x", "format": "ogg"}}',
  '{"type": "file", "file": {}}',
  '{"kind": "text", "text": "x"}',
  '{"type": 1}',
  '"text"',
  '{"type": "text", "text": "a", "type": "text"}',
];
function parts(r: R, image: boolean): string {
  const n = 1 + Math.floor(r() * 3);
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(r() < 0.9 ? pick(r, image ? PARTS_OK : PARTS_OK.filter((p) => !p.includes('image_url'))) : pick(r, PARTS_BAD));
  return r() < 0.03 ? '[]' : `[${out.join(', ')}]`;
}
function partsChat(r: R): string {
  const system =
    r() < 0.3 ? `{"role": "${pick(r, ['system', 'developer'])}", "content": ${r() < 0.5 ? '"You are a careful assistant."' : parts(r, false)}}, ` : '';
  const user = `{"role": "user", "content": ${r() < 0.8 ? parts(r, true) : '"What is in the image?"'}}`;
  // images are for user turns only: now and then one in an assistant turn
  const assistant = `{"content": ${r() < 0.7 ? '"A cat."' : parts(r, r() < 0.1)}, "role": "assistant"}`;
  const second = r() < 0.3 ? `, {"role": "user", "content": ${parts(r, true)}}, {"role": "assistant", "content": "Yes."}` : '';
  return `"messages": [${system}${user}, ${assistant}${second}]`;
}

/** A record of some format: mostly valid, with the defects and oddities the scan must leave alone. */
function record(r: R): string {
  const conv = r() < 0.5;
  const members: string[] = [];
  const kind = Math.floor(r() * 10);
  switch (kind) {
    case 0:
      members.push(conv ? (r() < 0.3 ? toolChat(r) : r() < 0.3 ? partsChat(r) : `"messages": ${chat(r, 'conversation')}`) : `"text": ${str(r)}`);
      break;
    case 1:
      members.push(`"prompt": ${conv ? chat(r, 'prompt') : str(r)}`);
      break;
    case 2:
      members.push(`"prompt": ${conv ? chat(r, 'prompt') : str(r)}`, `"completion": ${conv ? chat(r, 'response') : str(r)}`);
      break;
    case 3: {
      const c = conv ? chat(r, 'response') : str(r);
      if (r() < 0.8) members.push(`"prompt": ${conv ? chat(r, 'prompt') : str(r)}`);
      members.push(`"chosen": ${c}`, `"rejected": ${r() < 0.15 ? c.replace('e', '\\u0065') : conv ? chat(r, 'response') : str(r)}`);
      break;
    }
    case 4:
      members.push(
        `"prompt": ${conv ? chat(r, 'prompt') : str(r)}`,
        `"completion": ${conv ? chat(r, 'response') : str(r)}`,
        `"label": ${pick(r, ['true', 'false', '1', '"yes"'])}`,
      );
      break;
    case 5:
      members.push(`"instruction": ${str(r)}`, `"output": ${str(r)}`);
      if (r() < 0.5) members.push(`"input": ${str(r)}`);
      if (r() < 0.3) members.push(`"system": ${str(r)}`);
      break;
    case 6:
      members.push(`"conversations": ${turns(r, 'from', 'value', 'conversation')}`);
      if (r() < 0.3) members.push(`"system": ${str(r)}`);
      break;
    case 7: {
      // LLaMA-Factory's ranking sets: a ShareGPT prompt, chosen and rejected single turns
      const one = () => (r() < 0.9 ? answerTurn(r) : pick(r, ['[]', '"x"', '{"from": "human", "value": "x"}', '{"from": "gpt"}']));
      members.push(`"conversations": ${turns(r, 'from', 'value', 'prompt')}`, `"chosen": ${one()}`, `"rejected": ${one()}`);
      if (r() < 0.3) members.push(`"system": ${str(r)}`);
      break;
    }
    case 8: {
      // TRL's stepwise supervision: one label per step
      const n = Math.floor(r() * 4);
      const steps = Array.from({ length: n }, () => str(r));
      const labels = Array.from({ length: r() < 0.85 ? n : Math.floor(r() * 4) }, () => pick(r, ['true', 'false', 'true', '1', '"yes"']));
      members.push(`"prompt": ${str(r)}`, `"completions": [${steps.join(', ')}]`, `"labels": [${labels.join(', ')}]`);
      if (r() < 0.1) members.push(pick(r, ['"completion": "c"', '"completions": []', '"label": true']));
      break;
    }
    default:
      members.push(
        `"input": {"messages": ${chat(r, 'prompt')}}`,
        `"preferred_output": ${chat(r, 'response')}`,
        `"non_preferred_output": ${chat(r, 'response')}`,
      );
  }
  // metadata, mixed-up keys, types and duplicates
  if (r() < 0.3)
    members.push(
      pick(r, [
        '"id": 12',
        '"id": -3',
        '"id": 0',
        '"id": 1.5',
        '"id": 1e3',
        '"id": -0',
        '"score": 123456789012345678',
        '"meta": {"a": [1, "x", null, true], "b": {}}',
        '"meta": {"a": 1, "a": 2}',
        '"src": "web\\u00e9"',
        '"ok": false',
        '"x": null',
        '"tags": []',
      ]),
    );
  if (r() < 0.08)
    members.push(
      pick(r, [
        '"tools": []',
        '"completon": "c"',
        '"chosen": "c"',
        '"text": "t"',
        '"messages": []',
        '"history": []',
        '"label": true',
        '"parallel_tool_calls": false',
        '"tools": "[]"',
        '"prompt": "again"',
        '"promt": "p"',
        '"k\\u0065y": 1',
        '"__proto__": 1',
      ]),
    );
  for (let i = members.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [members[i], members[j]] = [members[j]!, members[i]!];
  }
  const sep = pick(r, [', ', ',', ' ,\t', ',\r ']);
  let line = `${pick(r, ['{', '{ ', ' {'])}${members.join(sep)}${pick(r, ['}', ' }', '}  '])}`;
  if (r() < 0.03) line = pick(r, ['\ufeff', '', '[', 'x']) + line;
  if (r() < 0.03) line = line.slice(0, Math.floor(r() * line.length));
  if (r() < 0.02) line += pick(r, ['}', ' x', ',']);
  return line;
}

function sameFacts(fast: LineFacts, slow: LineFacts, line: string): void {
  assert.deepEqual(
    slow.diagnostics.map((d) => d.code),
    [],
    `the scan passed a line with diagnostics: ${line}`,
  );
  assert.equal(fast.len, slow.len, `len of ${line}`);
  assert.equal(fast.record, slow.record);
  assert.equal(fast.variant, slow.variant, `variant of ${line}`);
  assert.equal(fast.hash, slow.hash, `hash of ${line}`);
  assert.deepEqual(fast.template, slow.template, `template of ${line}`);
}

/** The line's bytes inside a larger buffer, with quotes, backslashes and a newline around it: the scan must stay inside. */
function embedded(line: string, r: R): { buf: Buffer; start: number; end: number } {
  const before = Buffer.from(pick(r, ['', '{"a":"\\', 'x"\n']));
  const bytes = Buffer.from(line);
  const after = Buffer.from(pick(r, ['', '\n', '"}\\"\n{"prompt": "x"}', '\\u00']));
  return { buf: Buffer.concat([before, bytes, after]), start: before.length, end: before.length + bytes.length };
}

function check(lines: string[], opts: ValidationOptions, r: R): { clean: number; fast: number; variants: Set<string>; taken: string[] } {
  let clean = 0,
    fast = 0;
  const variants = new Set<string>();
  const taken: string[] = [];
  for (const generated of lines) {
    // what a file holds is bytes: a lone surrogate the generator made is U+FFFD once written
    const line = Buffer.from(generated).toString();
    const slow = analyzeLine(line, opts);
    const { buf, start, end } = embedded(line, r);
    const f = scanCleanLine(buf, start, end, opts);
    if (slow.record && slow.diagnostics.length === 0) clean++;
    if (!f) continue;
    fast++;
    taken.push(line);
    variants.add(f.variant!);
    sameFacts(f, slow, line);
  }
  return { clean, fast, variants, taken };
}

test('the byte scan agrees with analyzeLine on 20,000 generated records, and takes most clean ones', () => {
  const r = mulberry32(7);
  const lines = Array.from({ length: 20_000 }, () => record(r));
  const { clean, fast, variants, taken } = check(lines, DEFAULT_OPTIONS, r);
  // and 6,000 more of the shapes with the most rules: tool calls and content parts
  const chats = Array.from({ length: 6000 }, () => `{${r() < 0.6 ? toolChat(r) : partsChat(r)}}`);
  taken.push(...check(chats, DEFAULT_OPTIONS, r).taken);
  // the shapes real files hold go the fast way too: OpenAI and TRL tool calls, content parts
  const shapes: [string, RegExp][] = [
    ['OpenAI tool calls', /"tool_calls": \[\{[^\]]*"id"/],
    ['TRL tool calls (arguments as an object)', /"arguments": \{/],
    ['a TRL tool result naming its function', /"role": "tool"[^}]*"name"|"name": "get_weather", "role": "tool"/],
    ['parallel calls', /"call_2"|"city": "Rome"/],
    ['image parts', /"type": "image_url"/],
    ['audio parts', /"type": "input_audio"/],
    ['file parts', /"type": "file"/],
  ];
  for (const [what, re] of shapes) assert.ok(taken.filter((l) => re.test(l)).length >= 5, `too few lines with ${what} went the fast way`);
  // it must take the common clean records, not just give up on everything
  assert.ok(fast > clean * 0.5, `the scan took ${fast} of ${clean} clean records`);
  for (const v of [
    'language-modeling',
    'language-modeling:conversational',
    'prompt-only',
    'prompt-only:conversational',
    'prompt-completion',
    'prompt-completion:conversational',
    'preference',
    'preference:conversational',
    'unpaired-preference',
    'unpaired-preference:conversational',
    'alpaca',
    'sharegpt:conversational',
    'sharegpt-preference:conversational',
    'stepwise-supervision',
  ]) {
    assert.ok(variants.has(v), `no ${v} record went the fast way`);
  }
});

test('the byte scan agrees with analyzeLine under a forced format, a small token limit, and on mutated lines', () => {
  const r = mulberry32(11);
  const lines = Array.from({ length: 4000 }, () => record(r));
  check(lines, { ...DEFAULT_OPTIONS, format: 'preference' }, r);
  const short = check(lines, { ...DEFAULT_OPTIONS, maxTokens: 20 }, r);
  assert.ok(short.fast > 0);
  // random byte-level damage: whatever the scan still takes, analyzeLine must call clean and agree on
  const pieces = ['{', '}', '[', ']', '"', ':', ',', '\\', ' ', 'a', '0', '-', '\u0000', '\t', '😀', '\\u', 'é', '"role"', '"user"'];
  const mutated = lines.map((l) => {
    let out = l;
    for (let k = 0; k < 1 + Math.floor(r() * 2); k++) {
      const i = Math.floor(r() * (out.length + 1));
      out = r() < 0.5 ? out.slice(0, i) + out.slice(i + 1) : out.slice(0, i) + pick(r, pieces) + out.slice(i);
    }
    return out;
  });
  check(mutated, DEFAULT_OPTIONS, r);
});

test('\\u escapes at the UTF-8 length boundaries hash as the characters they stand for', () => {
  const r = mulberry32(3);
  // one, two, three and four UTF-8 bytes: the last code point of each length and the first of the next
  const escapes = ['\\u007f', '\\u0080', '\\u07ff', '\\u0800', '\\uffff', '\\ud7ff', '\\ue000', '\\ud800\\udc00', '\\udbff\\udfff'];
  const lines = escapes.map((e) => `{"prompt": "You are a tester. Say ${e} once.", "completion": "Done ${e}."}`);
  const { fast, taken } = check(lines, DEFAULT_OPTIONS, r);
  assert.equal(fast, lines.length, `the scan took ${taken.length} of ${lines.length} lines`);
  // and each hashes as the same record written with the character itself
  for (const [i, line] of lines.entries()) {
    const literal = JSON.stringify(JSON.parse(line));
    assert.equal(scanCleanLine(Buffer.from(line), 0, Buffer.byteLength(line), DEFAULT_OPTIONS)!.hash, analyzeLine(literal, DEFAULT_OPTIONS).hash, escapes[i]);
  }
});

test('the clean shapes the scan is built for go the fast way (a bail-out to the slow path is right, but slow)', () => {
  const r = mulberry32(5);
  const tools = '[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]';
  const call = (args: string, id = 'call_1') => `{"id": "${id}", "type": "function", "function": {"name": "get_weather", "arguments": ${args}}}`;
  const toolTurns = (calls: string) =>
    `[{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "tool_calls": [${calls}]}, {"role": "tool", "tool_call_id": "call_1", "content": "18 C"}, {"role": "assistant", "content": "It is 18 C."}]`;
  const shapes: [string, string][] = [
    ['a true label', '{"prompt": "Is it sunny?", "completion": "Yes, it is.", "label": true}'],
    ['a false label', '{"prompt": "Is it sunny?", "completion": "No idea.", "label": false}'],
    ['a tool call', `{"messages": ${toolTurns(call('"{\\"city\\": \\"Paris\\"}"'))}, "tools": ${tools}}`],
    [
      'TRL tool calls: arguments as an object with integers, literals and lists',
      `{"messages": [{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Paris", "days": 10, "exact": true, "unit": null, "hours": [0, 10, 200]}}}]}, {"role": "tool", "name": "get_weather", "content": "18 C"}, {"role": "assistant", "content": "It is 18 C."}], "tools": ${tools}}`,
    ],
    [
      'two parallel calls',
      `{"messages": ${toolTurns(`${call('"{}"')}, ${call('"{}"', 'call_2')}`).replace('"content": "18 C"}', '"content": "18 C"}, {"role": "tool", "tool_call_id": "call_2", "content": "ok"}')}, "tools": ${tools}}`,
    ],
    ['an escaped surrogate pair', '{"prompt": "You are a tester. Say \\ud83d\\ude00.", "completion": "\\ud83d\\ude00"}'],
  ];
  for (const [what, line] of shapes) {
    assert.ok(analyzeLine(line, DEFAULT_OPTIONS).record, `${what}: the test's line parses`);
    assert.deepEqual(
      analyzeLine(line, DEFAULT_OPTIONS).diagnostics.map((d) => d.code),
      [],
      `${what}: the test's line is clean`,
    );
    const { fast } = check([line], DEFAULT_OPTIONS, r);
    assert.equal(fast, 1, `${what} went the slow way: ${line}`);
  }
});

// LLaMA-Factory's registry: records under the file's column names and ShareGPT tags, read with the registry's options
const TAGS = { role: 'speaker', content: 'text', roles: { customer: 'human', agent: 'gpt', policy: 'system' } };
function registered(r: R): { line: string; opts: ValidationOptions } {
  const members: string[] = [];
  const speaker = (role: string) =>
    r() < 0.9 ? ({ human: 'customer', gpt: 'agent', system: 'policy' } as Record<string, string>)[role]! : pick(r, ['human', 'gpt', 'client', 'user', 'agent']);
  const tagged = (shape: 'conversation' | 'prompt' | 'response') => {
    const t = turns(r, 'from', 'value', shape).replace(/"from": "(\w+)"/g, (_m, role: string) => `"speaker": "${speaker(role)}"`);
    return r() < 0.95 ? t.replace(/"value":/g, '"text":') : t;
  };
  let opts: ValidationOptions;
  switch (Math.floor(r() * 4)) {
    case 0:
      opts = { ...DEFAULT_OPTIONS, format: 'alpaca', keyMap: { question: 'instruction', context: 'input', answer: 'output', persona: 'system' } };
      members.push(`"question": ${str(r)}`, `"answer": ${str(r)}`);
      if (r() < 0.5) members.push(`"context": ${str(r)}`);
      if (r() < 0.3) members.push(`"persona": ${str(r)}`);
      break;
    case 1:
      opts = { ...DEFAULT_OPTIONS, format: 'preference', keyMap: { instruction: 'prompt', input: '' } };
      members.push(`"instruction": ${str(r)}`, `"chosen": ${str(r)}`, `"rejected": ${str(r)}`);
      if (r() < 0.5) members.push(`"input": ${str(r)}`);
      break;
    case 2:
      opts = { ...DEFAULT_OPTIONS, format: 'sharegpt', keyMap: { dialog: 'conversations' }, turnTags: TAGS };
      members.push(`"dialog": ${tagged('conversation')}`);
      if (r() < 0.3) members.push(`"system": ${str(r)}`);
      break;
    default: {
      opts = { ...DEFAULT_OPTIONS, format: 'sharegpt-preference', keyMap: { dialog: 'conversations', better: 'chosen', worse: 'rejected' }, turnTags: TAGS };
      const one = () =>
        answerTurn(r)
          .replace(/"from": "(\w+)"/, (_m, role: string) => `"speaker": "${speaker(role === 'gpt' ? 'gpt' : 'human')}"`)
          .replace('"value":', r() < 0.95 ? '"text":' : '"value":');
      members.push(`"dialog": ${tagged('prompt')}`, `"better": ${one()}`, `"worse": ${one()}`);
    }
  }
  // our own names beside the file's, metadata, another format's keys
  if (r() < 0.15) members.push(pick(r, ['"instruction": "i"', '"conversations": []', '"prompt": "p"', '"id": 3', '"chosen": "c"', '"messages": []']));
  return { line: `{${members.join(', ')}}`, opts };
}

test("the byte scan agrees with analyzeLine under a registry's column names and ShareGPT tags (dataset_info.json)", () => {
  const r = mulberry32(23);
  const byOpts = new Map<string, { opts: ValidationOptions; lines: string[] }>();
  for (let k = 0; k < 6000; k++) {
    const { line, opts } = registered(r);
    const key = String(opts.format);
    if (!byOpts.has(key)) byOpts.set(key, { opts, lines: [] });
    byOpts.get(key)!.lines.push(line);
  }
  for (const [format, { opts, lines }] of byOpts) {
    const { clean, fast } = check(lines, opts, r);
    assert.ok(clean >= 20 && fast > clean * 0.5, `${format}: the scan took ${fast} of ${clean} clean records`);
  }
});

test('a line whose string runs past the line end is not read beyond it', () => {
  const line = '{"prompt": "abc", "chosen": "x", "rejected": "y';
  const buf = Buffer.from(`${line}\n"}`);
  assert.equal(scanCleanLine(buf, 0, Buffer.byteLength(line), DEFAULT_OPTIONS), undefined);
  const ok = '{"prompt": "abc", "chosen": "x", "rejected": "y"}';
  assert.ok(scanCleanLine(Buffer.from(ok), 0, ok.length, DEFAULT_OPTIONS));
});

test('a file validates to the same report through the byte scan as through the editor model', async () => {
  const r = mulberry32(3);
  const lines: string[] = [];
  for (let i = 0; i < 3000; i++) lines.push(record(r));
  // duplicates that differ in form only: one copy may go the fast way, the other the slow one
  lines.push('{"prompt": "You are a judge. Pick one.", "chosen": "A", "rejected": "B"}');
  lines.push('{"rejected":"B","chosen":"\\u0041","prompt":"You are a judge. Pick one."}');
  lines.push('{"prompt": "You are a judge. Pick one.", "chosen": "A", "rejected": "B", "id": 1}');
  lines.push('', '   ', '{"prompt": "You are a judge. Pick one.", "chosen": "A", "rejected": "B"}');
  const dir = mkdtempSync(join(tmpdir(), 'ftstudio-scan-'));
  const path = join(dir, 'mixed.jsonl');
  const text = lines.join('\r\n');
  writeFileSync(path, text);
  const fromFile = await validateFile(path, { maxTokens: 4096, minRecords: 200 });
  const fromText = validateText(text);
  assert.deepEqual(fromFile, fromText);
  assert.ok(fromFile.diagnostics.filter((d) => d.code === 'duplicate').length >= 2);
  // invalid UTF-8 in a chunk: read as the editor reads it (U+FFFD), never scanned as bytes
  const bad = join(dir, 'latin1.jsonl');
  writeFileSync(bad, Buffer.concat([Buffer.from('{"prompt": "You are x", "chosen": "caf'), Buffer.from([0xe9]), Buffer.from('", "rejected": "b"}\n')]));
  assert.deepEqual(
    await validateFile(bad, { maxTokens: 4096, minRecords: 200 }),
    validateText(Buffer.from('{"prompt": "You are x", "chosen": "caf\ufffd", "rejected": "b"}\n').toString()),
  );
});

test('tool records go the fast way with parallel_tool_calls, and as ShareGPT with tools (a list or a JSON string of one)', () => {
  // pins that these clean shapes are scanned (with analyzeLine's facts), not left to the slow path
  const r = mulberry32(13);
  const tools = '[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]';
  const chat = `[{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]}, {"role": "tool", "tool_call_id": "call_1", "content": "18 C"}, {"role": "assistant", "content": "It is 18 C."}]`;
  const share = '[{"from": "human", "value": "Weather in Paris?"}, {"from": "gpt", "value": "It is 18 C."}]';
  const shapes: [string, string][] = [
    ['parallel_tool_calls: true', `{"messages": ${chat}, "tools": ${tools}, "parallel_tool_calls": true}`],
    ['parallel_tool_calls: false', `{"messages": ${chat}, "tools": ${tools}, "parallel_tool_calls": false}`],
    ['ShareGPT with a tools list', `{"conversations": ${share}, "tools": ${tools}}`],
    ['ShareGPT with tools as a JSON string', `{"conversations": ${share}, "tools": ${JSON.stringify(tools)}}`],
  ];
  for (const [what, line] of shapes) {
    assert.deepEqual(analyzeLine(line, DEFAULT_OPTIONS).diagnostics, [], `${what}: the test's line is clean`);
    assert.equal(check([line], DEFAULT_OPTIONS, r).fast, 1, `${what} went the slow way: ${line}`);
  }
});

test('defects inside a clean-looking line leave it to the slow path, which names them', () => {
  // pins that the scan is "not sure" of a function whose name is an object, and of steps or labels with a stray separator
  const cases: [string, string, string][] = [
    [
      'a function name that is an object',
      '{"messages": [{"role": "user", "content": "Weather in Paris?"}, {"role": "assistant", "tool_calls": [{"type": "function", "function": {"name": {"id": 1}, "arguments": "{}"}}]}, {"role": "tool", "content": "18 C"}, {"role": "assistant", "content": "It is 18 C."}]}',
      'tool-call-no-name',
    ],
    ['a semicolon between steps', '{"prompt": "You are a tester.", "completions": ["a"; "b"], "labels": [true, false]}', 'invalid-json'],
    ['a semicolon between labels', '{"prompt": "You are a tester.", "completions": ["a", "b"], "labels": [true; false]}', 'invalid-json'],
  ];
  for (const [what, line, code] of cases) {
    assert.equal(scanCleanLine(Buffer.from(line), 0, Buffer.byteLength(line), DEFAULT_OPTIONS), undefined, `${what}: the scan passed it`);
    assert.deepEqual(
      analyzeLine(line, DEFAULT_OPTIONS).diagnostics.map((d) => d.code),
      [code],
      what,
    );
  }
});

test('a defective call is "not sure" whatever bytes come before the line in the buffer', () => {
  // pins that the scan reads only buf[start, end): bytes before the line that would close the call
  // (and the line, an extra brace at its end) must not make it pass a line it gave up on
  const user = '{"role": "user", "content": "Weather in Paris?"}';
  const cases: [string, string, string][] = [
    // a function without a name, after bytes that would close the call, its list, the turn and the turns
    [
      'x}]}],"meta":',
      `{"messages": [${user}, {"role": "assistant", "tool_calls": [{"type": "function", "function": {"arguments": "{}"}}]}]}}`,
      'a nameless function',
    ],
    // a call that is not an object, after bytes that would close the turn and the turns
    ['x}],"meta":', `{"messages": [${user}, {"role": "assistant", "tool_calls": ["get_weather"]}]}}`, 'a call that is a string'],
  ];
  for (const [before, line, what] of cases) {
    const buf = Buffer.from(before + line);
    assert.equal(scanCleanLine(buf, Buffer.byteLength(before), buf.length, DEFAULT_OPTIONS), undefined, what);
    assert.deepEqual(
      analyzeLine(line, DEFAULT_OPTIONS).diagnostics.map((d) => d.message),
      ['Invalid JSON: Unexpected text after the JSON value: "}".'],
      `${what}: the line itself is not JSON`,
    );
  }
});
