// The chat template in Node (@huggingface/jinja): the characters of the assistant replies a trainer trains on,
// from `{% generation %}` markers when the template has them, else by tracing each reply through the
// rendering. The parity with transformers' own masks on real templates is trainer/tests/test_node_token_counts.py;
// these pin the rules on small templates the unit suite can see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assistantSpans, ChatTemplate, generationPrompt, hasGenerationMarkers, TemplateError, type Message } from '../../src/core/tokens/chatTemplate';

const chat: Message[] = [
  { role: 'user', content: 'hi' },
  { role: 'assistant', content: 'yes sir' },
  { role: 'user', content: 'again' },
  { role: 'assistant', content: 'no' },
];
const texts = (r: { text: string; spans: ReadonlyArray<readonly [number, number]> }) => r.spans.map(([a, b]) => r.text.slice(a, b));
const traced = (source: string, messages = chat) => {
  const t = new ChatTemplate(source, { eos_token: '</s>' });
  return assistantSpans(messages, (m, g) => t.render(m, g));
};

test('{% generation %} markers, however their tags are spaced or trimmed: the spans they enclose, and a rendering without them', () => {
  for (const [open, close] of [
    ['{% generation %}', '{% endgeneration %}'],
    ['{%generation%}', '{%endgeneration%}'],
    ['{%-  generation  -%}', '{%-  endgeneration  %}'],
  ]) {
    const source = `{% for m in messages %}<{{ m.role }}>{% if m.role == 'assistant' %}${open}{{ m.content }}{{ eos_token }}${close}{% else %}{{ m.content }}{% endif %}|{% endfor %}`;
    assert.ok(hasGenerationMarkers(source), open);
    const t = new ChatTemplate(source, { eos_token: '</s>' });
    const r = t.renderGeneration(chat);
    assert.equal(r.text, '<user>hi|<assistant>yes sir</s>|<user>again|<assistant>no</s>|', open);
    assert.deepEqual(texts(r), ['yes sir</s>', 'no</s>'], open);
    assert.equal(t.render(chat), r.text, 'render() leaves no marker characters');
  }
  assert.ok(!hasGenerationMarkers('{{ generation }}'));
});

test('without markers: each reply traced through the rendering, from the end of the generation prompt', () => {
  // the generation prompt "<assistant>\n" is what add_generation_prompt appends; text the template writes
  // after it ("Answer: ") is the model's to produce, so it is trained, as the trainer's chat.py does
  const r = traced(
    "{% for m in messages %}<{{ m.role }}>\n{% if m.role == 'assistant' %}Answer: {% endif %}{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<assistant>\n{% endif %}",
  );
  assert.deepEqual(texts(r), ['Answer: yes sir', 'Answer: no']);
  assert.equal(
    generationPrompt(chat.slice(0, 1), (m, g) => new ChatTemplate('{{ messages | length }}{% if add_generation_prompt %}>{% endif %}', {}).render(m, g)),
    '>',
  );
  // no generation prompt: the reply itself
  assert.deepEqual(
    texts(traced("{% for m in messages %}[{{ m.role }}] {{ m.content }}{% if m.role == 'assistant' %}{{ eos_token }}{% endif %}\n{% endfor %}")),
    ['yes sir', 'no'],
  );
});

test('a template that writes a reply more than once, or changes it, is refused with what to do', () => {
  // the reply, then its first word again: one opening traced twice
  assert.throws(
    () => traced("{% for m in messages %}<{{ m.role }}>{{ m.content }}{% if m.role == 'assistant' %}|{{ m.content.split(' ')[0] }}{% endif %}\n{% endfor %}"),
    (e: Error) => e instanceof TemplateError && /renders assistant turn 2 more than once/.test(e.message),
  );
  assert.throws(
    () => traced('{% for m in messages %}{{ m.content | upper }}\n{% endfor %}'),
    (e: Error) => e instanceof TemplateError && /cannot be traced: add \{% generation %\}/.test(e.message),
  );
  assert.throws(
    () =>
      traced('{% for m in messages %}{{ m.content }}{% endfor %}', [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: [{ type: 'text', text: 'a' }] },
      ]),
    (e: Error) => e instanceof TemplateError && /assistant turn 2 has no text content/.test(e.message),
  );
  assert.throws(
    () => new ChatTemplate('{% for m in messages %}', {}),
    (e: Error) => e instanceof TemplateError && /does not parse/.test(e.message),
  );
});

test('string strip / lstrip / rstrip as Python has them: no argument strips white space, an argument strips those characters only', () => {
  // Qwen 3's template calls content.lstrip('\n'), which must keep a reply's leading spaces
  const t = new ChatTemplate("{{ messages[0].content.strip() }}|{{ messages[0].content.lstrip('\\n') }}|{{ messages[0].content.rstrip('\\n ') }}", {});
  assert.equal(t.render([{ role: 'user', content: '\n  hi \n' }]), 'hi|  hi \n|\n  hi');
});

test('string strip / lstrip / rstrip without an argument strip white space on their own side only', () => {
  // pins: lstrip() keeps trailing, rstrip() leading white space; an argument of other characters strips nothing
  const t = new ChatTemplate(
    "{{ messages[0].content.lstrip() }}|{{ messages[0].content.rstrip() }}|{{ messages[0].content.strip('\\n ') }}|{{ messages[0].content.strip('x') }}|{{ messages[0].content.rstrip('') }}",
    {},
  );
  assert.equal(t.render([{ role: 'user', content: '\n  hi \n' }]), 'hi \n|\n  hi|hi|\n  hi \n|\n  hi \n');
  // the same methods on another string value, in a second template: still Python's
  const u = new ChatTemplate("{{ messages[0].content.rstrip('!') }}|{{ messages[0].content.lstrip('!') }}", {});
  assert.equal(u.render([{ role: 'user', content: '!! go !!' }]), '!! go | go !!');
});

const render = (source: string) => {
  const t = new ChatTemplate(source, {});
  return (m: readonly Message[], g?: boolean) => t.render(m, g);
};

test('generationPrompt: the suffix add_generation_prompt appends, or undefined when there is none, it is not a suffix, or rendering fails', () => {
  const one: Message[] = [{ role: 'user', content: 'q' }];
  assert.equal(generationPrompt(one, render('{{ messages | length }}{% if add_generation_prompt %}<bot>{% endif %}')), '<bot>');
  // nothing added: undefined, not an empty string
  assert.equal(generationPrompt(one, render('{{ messages | length }}')), undefined);
  // added in front, not at the end
  assert.equal(generationPrompt(one, render('{% if add_generation_prompt %}X{% endif %}{{ messages | length }}')), undefined);
  // a template that cannot render these turns
  assert.equal(generationPrompt(one, render('{{ messages[5].content }}')), undefined);
});

test('assistantSpans: only the trained turns, a reply the template drops is skipped, and a rendering failure is a TemplateError', () => {
  const chat4: Message[] = [
    { role: 'user', content: 'hi' },
    { role: 'assistant', content: 'yes sir' },
    { role: 'user', content: 'again' },
    { role: 'assistant', content: 'no' },
  ];
  const plain = render('{% for m in messages %}[{{ m.role }}]{{ m.content }}|{% endfor %}');
  const all = assistantSpans(chat4, plain);
  assert.equal(all.text, '[user]hi|[assistant]yes sir|[user]again|[assistant]no|');
  assert.deepEqual(all.spans, [
    [20, 27],
    [51, 53],
  ]);
  assert.deepEqual(texts(assistantSpans(chat4, plain, (i) => i === 3)), ['no']);
  assert.deepEqual(
    assistantSpans(chat4, plain, () => false),
    { text: all.text, spans: [] },
  );
  // a turn not trained may hold anything: only the trained ones need text
  const parts: Message[] = [chat4[0]!, { role: 'assistant', content: [{ type: 'text', text: 'a' }] }, chat4[2]!, chat4[3]!];
  assert.deepEqual(texts(assistantSpans(parts, plain, (i) => i === 3)), ['no']);
  // a template that writes only the user turns: nothing to train
  const usersOnly = render("{% for m in messages %}{% if m.role == 'user' %}{{ m.content }}|{% endif %}{% endfor %}");
  assert.deepEqual(assistantSpans(chat4, usersOnly), { text: 'hi|again|', spans: [] });
  assert.throws(
    () => assistantSpans(chat4, render('{{ foo() }}')),
    (e: Error) => e instanceof TemplateError && e.message.startsWith('the chat template cannot render this conversation: '),
  );
});

test('assistantSpans: a template that trims replies is traced with the white space outside; an empty reply has no span', () => {
  const msgs: Message[] = [
    { role: 'user', content: 'say <think>x</think>' },
    { role: 'assistant', content: '  ok  ' },
    { role: 'assistant', content: '<think>y</think> z' },
    { role: 'assistant', content: '   ' },
  ];
  const trimmed = assistantSpans(msgs, render('{% for m in messages %}{{ m.content | trim }}|{% endfor %}'));
  assert.equal(trimmed.text, 'say <think>x</think>|ok|<think>y</think> z||');
  assert.deepEqual(texts(trimmed), ['ok', '<think>y</think> z']);
  // not trimmed: the reply as written, white space and all
  const kept = assistantSpans(msgs, render('{% for m in messages %}{{ m.content }}|{% endfor %}'));
  assert.deepEqual(texts(kept), ['  ok  ', '<think>y</think> z', '   ']);
});

test('assistantSpans: a think block before the reply is trained; one in an earlier turn or followed by other text is not', () => {
  const plain = render('{% for m in messages %}[{{ m.role }}]{{ m.content }}|{% endfor %}');
  const msgs: Message[] = [
    { role: 'user', content: 'q <think>user text</think>' },
    { role: 'assistant', content: '<think>hmm</think>\n\nno' },
    { role: 'assistant', content: 'plain' },
    { role: 'assistant', content: 'tail' },
  ];
  const r = assistantSpans(msgs, plain);
  assert.deepEqual(texts(r), ['<think>hmm</think>\n\nno', 'plain', 'tail']);
  // a user turn's think block, then other text before the reply: not part of the reply
  const u = assistantSpans([msgs[0]!, { role: 'assistant', content: 'ok' }], plain);
  assert.deepEqual(texts(u), ['ok']);
});

test('assistantSpans: the generation prompt is searched only after the previous reply', () => {
  // the generation prompt ">" also appears in the first user turn: the first reply is widened back to it
  // (the trainer does the same); the second reply finds none after the first reply's end, so is not widened
  const chat4: Message[] = [
    { role: 'user', content: 'a>b' },
    { role: 'assistant', content: 'yes' },
    { role: 'user', content: 'again' },
    { role: 'assistant', content: 'no' },
  ];
  const r = assistantSpans(chat4, render('{% for m in messages %}{{ m.content }}|{% endfor %}{% if add_generation_prompt %}>{% endif %}'));
  assert.equal(r.text, 'a>b|yes|again|no|');
  assert.deepEqual(texts(r), ['b|yes', 'no']);
});

test('renderGeneration: a marker character in a message is no span of its own', () => {
  const t = new ChatTemplate(
    "{% for m in messages %}<{{ m.role }}>{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}{% else %}{{ m.content }}{% endif %}{% endfor %}",
    {},
  );
  // a closing marker before any opening one: ignored
  assert.deepEqual(
    t.renderGeneration([
      { role: 'user', content: 'q\ue004' },
      { role: 'assistant', content: 'ok' },
    ]),
    { text: '<user>q<assistant>ok', spans: [[18, 20]] },
  );
  assert.equal(t.render([{ role: 'user', content: 'q\ue004\ue003' }]), '<user>q');
});

test('generationPrompt and assistantSpans: a template that throws; a conversation with nothing to train is rendered as is', () => {
  assert.equal(generationPrompt([{ role: 'user', content: 'q' }], render('{{ foo() }}')), undefined);
  // no trained reply: the rendering, even when a message holds characters that look like the tracing sentinels
  const odd: Message[] = [{ role: 'user', content: 'x\ue0000\ue001a\ue002y' }];
  assert.deepEqual(assistantSpans(odd, render('{% for m in messages %}{{ m.content }}{% endfor %}')), { text: odd[0]!.content, spans: [] });
});

test('assistantSpans: a think block opened in an earlier reply is not widened into the next one', () => {
  const plain = render('{% for m in messages %}[{{ m.role }}]{{ m.content }}|{% endfor %}');
  const r = assistantSpans(
    [
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '<think>a' },
      { role: 'assistant', content: '</think> b' },
    ],
    plain,
  );
  assert.equal(r.text, '[user]q|[assistant]<think>a|[assistant]</think> b|');
  assert.deepEqual(texts(r), ['<think>a', ' b']);
});
