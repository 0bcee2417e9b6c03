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
