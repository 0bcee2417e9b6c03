/**
 * A model's chat template, rendered the way transformers' `apply_chat_template` renders it (Jinja with
 * trim_blocks and lstrip_blocks, the special tokens as variables), and which characters of a rendering are
 * the trained assistant output — the same rules as the trainer (trainer/ftstudio_trainer/chat.py):
 * - a template with `{% generation %}` markers: the marked characters (transformers'
 *   `return_assistant_tokens_mask`);
 * - any other template: each trained reply wrapped in private-use sentinels, rendered again, the sentinels'
 *   places found, the span widened back to the generation prompt (model output the template writes
 *   there, or a think block).
 */
import { Environment, Template } from '@huggingface/jinja';

/** The trainer's template for a tokenizer without one (chat.py's PLAIN_TEMPLATE, saved with the adapter). */
export const PLAIN_TEMPLATE =
  "{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}" +
  "{% if m['role'] == 'assistant' %}{{ eos_token }}{% endif %}\n{% endfor %}" +
  '{% if add_generation_prompt %}<|assistant|>\n{% endif %}';

export type Message = Record<string, unknown>;
export type Span = readonly [number, number];

export class TemplateError extends Error {}

const GENERATION = /\{%(-?)\s*generation\s*(-?)%\}/g;
const END_GENERATION = /\{%(-?)\s*endgeneration\s*(-?)%\}/g;
const GEN_OPEN = '\ue003';
const GEN_CLOSE = '\ue004';
const OPEN = '\ue000',
  SEP = '\ue001',
  CLOSE = '\ue002';
const SENTINEL = /\ue000(\d+)\ue001([ab])\ue002/g;
const THINK = /^<think>(?:(?!<think>)[\s\S])*<\/think>\s*$/;

let patched = false;
/**
 * @huggingface/jinja's str.strip / lstrip / rstrip ignore their argument (Python strips the characters
 * given: Qwen 3's template calls `content.lstrip('\n')`, which must keep a reply's leading spaces). Its
 * string methods are given Python's behaviour here, once, through the prototype of a string value.
 */
function patchStringStrip(): void {
  if (patched) return;
  patched = true;
  const env = new Environment();
  env.set('s', '');
  const sample = env.lookupVariable('s') as unknown as { builtins: Map<string, { value: unknown }> };
  const proto = Object.getPrototypeOf(sample) as object;
  const getter = Object.getOwnPropertyDescriptor(proto, 'builtins')?.get;
  const fn = sample.builtins.get('strip');
  if (!getter || !fn) return;
  const FunctionValue = fn.constructor as new (f: (args: Array<{ value: unknown; type: string }>) => unknown) => unknown;
  const StringValue = sample.constructor as new (v: string) => unknown;
  const strip = (text: string, chars: unknown, left: boolean, right: boolean): string => {
    if (typeof chars !== 'string') return left && right ? text.trim() : left ? text.trimStart() : text.trimEnd();
    let a = 0,
      b = text.length;
    while (left && a < b && chars.includes(text[a]!)) a++;
    while (right && b > a && chars.includes(text[b - 1]!)) b--;
    return text.slice(a, b);
  };
  Object.defineProperty(proto, 'builtins', {
    configurable: true,
    get(this: { value: string; _ftsPatched?: boolean }) {
      const map = getter.call(this) as Map<string, unknown>;
      if (!this._ftsPatched) {
        this._ftsPatched = true;
        const self = this;
        for (const [name, l, r] of [
          ['strip', true, true],
          ['lstrip', true, false],
          ['rstrip', false, true],
        ] as const) {
          map.set(name, new FunctionValue((args) => new StringValue(strip(self.value, args[0]?.type === 'StringValue' ? args[0].value : undefined, l, r))));
        }
      }
      return map;
    },
  });
}

export function hasGenerationMarkers(source: string | undefined): boolean {
  return !!source && /\{%-?\s*generation\s*-?%\}/.test(source);
}

/**
 * `{% generation %}…{% endgeneration %}` (a transformers extension) as plain Jinja that writes two marker
 * characters: each tag becomes two nested `if` blocks with the marker between them, so that the tags' own
 * whitespace control and trim_blocks / lstrip_blocks act on the text around them exactly as before.
 */
function markGeneration(source: string): string {
  return source
    .replace(GENERATION, (_, l: string, r: string) => `{%${l} if true %}{{ '${GEN_OPEN}' }}{% if true ${r}%}`)
    .replace(END_GENERATION, (_, l: string, r: string) => `{%${l} endif %}{{ '${GEN_CLOSE}' }}{% endif ${r}%}`);
}

export class ChatTemplate {
  private readonly template: Template;
  readonly generationMarkers: boolean;

  /** `variables`: what transformers passes besides the messages (bos_token, eos_token, …). */
  constructor(
    readonly source: string,
    private readonly variables: Readonly<Record<string, unknown>>,
  ) {
    patchStringStrip();
    this.generationMarkers = hasGenerationMarkers(source);
    try {
      this.template = new Template(this.generationMarkers ? markGeneration(source) : source);
    } catch (e) {
      throw new TemplateError(`the chat template does not parse: ${(e as Error).message}`);
    }
  }

  private raw(messages: readonly Message[], addGenerationPrompt: boolean): string {
    return this.template.render({ ...this.variables, messages, add_generation_prompt: addGenerationPrompt });
  }

  /** The conversation as text (markers of `{% generation %}` removed). */
  render(messages: readonly Message[], addGenerationPrompt = false): string {
    const out = this.raw(messages, addGenerationPrompt);
    return this.generationMarkers ? out.replace(/[\ue003\ue004]/g, '') : out;
  }

  /** The rendering and the character spans its `{% generation %}` blocks wrote. */
  renderGeneration(messages: readonly Message[]): { text: string; spans: Span[] } {
    const marked = this.raw(messages, false);
    let text = '';
    const spans: Span[] = [];
    let open = -1;
    for (let i = 0, last = 0; i <= marked.length; i++) {
      const c = marked.charCodeAt(i);
      if (i < marked.length && c !== 0xe003 && c !== 0xe004) continue;
      text += marked.slice(last, i);
      last = i + 1;
      if (c === 0xe003) open = text.length;
      else if (c === 0xe004 && open >= 0) {
        spans.push([open, text.length]);
        open = -1;
      }
    }
    return { text, spans };
  }
}

function mark(i: number, side: 'a' | 'b'): string {
  return `${OPEN}${i}${SEP}${side}${CLOSE}`;
}

/** The reply with sentinels around it; after a `</think>` when it has one. `tight` keeps outer whitespace outside. */
function wrap(content: string, i: number, tight: boolean): string {
  let head = '',
    rest = content;
  const k = content.lastIndexOf('</think>');
  if (k >= 0) {
    head = content.slice(0, k + 8);
    rest = content.slice(k + 8);
  }
  if (!tight) return head + mark(i, 'a') + rest + mark(i, 'b');
  const core = rest.trim();
  if (!core) return head + rest;
  const lead = rest.slice(0, rest.length - rest.trimStart().length);
  const trail = rest.slice(rest.trimEnd().length);
  return head + lead + mark(i, 'a') + core + mark(i, 'b') + trail;
}

function stripSentinels(marked: string): { clean: string; found: Map<string, number[]> } {
  let clean = '';
  const found = new Map<string, number[]>();
  let pos = 0;
  for (const m of marked.matchAll(SENTINEL)) {
    clean += marked.slice(pos, m.index);
    const key = `${m[1]}${m[2]}`;
    const list = found.get(key) ?? [];
    list.push(clean.length);
    found.set(key, list);
    pos = m.index! + m[0].length;
  }
  return { clean: clean + marked.slice(pos), found };
}

type Render = (messages: readonly Message[], addGenerationPrompt?: boolean) => string;

/** The text `add_generation_prompt` adds after these turns (undefined when it is not a plain suffix). */
export function generationPrompt(messages: readonly Message[], render: Render): string | undefined {
  let bare: string, prompted: string;
  try {
    bare = render(messages);
    prompted = render(messages, true);
  } catch {
    return undefined; // some templates cannot render an empty or system-only conversation
  }
  return prompted.startsWith(bare) && prompted.length > bare.length ? prompted.slice(bare.length) : undefined;
}

/** chat.py's assistant_spans: the rendering and the character spans of the trained replies in it. */
export function assistantSpans(messages: readonly Message[], render: Render, trained?: (i: number) => boolean): { text: string; spans: Span[] } {
  const picked: number[] = [];
  messages.forEach((m, i) => {
    if (m.role === 'assistant' && (!trained || trained(i))) picked.push(i);
  });
  for (const i of picked) {
    if (typeof messages[i]!.content !== 'string') {
      throw new TemplateError(
        `assistant turn ${i + 1} has no text content (tool calls or content parts): the trainer needs a chat template with {% generation %} markers for it`,
      );
    }
  }
  let text: string;
  try {
    text = render(messages);
  } catch (e) {
    throw new TemplateError(`the chat template cannot render this conversation: ${(e as Error).message}`);
  }
  if (!picked.length) return { text, spans: [] };
  let found: Map<string, number[]> | undefined;
  for (const tight of [false, true]) {
    const wrapped = messages.map((m, i) => (picked.includes(i) ? { ...m, content: wrap(m.content as string, i, tight) } : m));
    const r = stripSentinels(render(wrapped));
    if (r.clean === text) {
      found = r.found;
      break;
    }
  }
  if (!found) {
    throw new TemplateError(
      'the chat template changes assistant replies in a way that cannot be traced: add {% generation %} / {% endgeneration %} markers around the assistant output in the template',
    );
  }
  const spans: Span[] = [];
  let prevEnd = 0;
  for (const i of picked) {
    const a = found.get(`${i}a`) ?? [],
      b = found.get(`${i}b`) ?? [];
    if (a.length > 1 || b.length > 1) throw new TemplateError(`the chat template renders assistant turn ${i + 1} more than once`);
    if (!a.length || !b.length) continue; // not rendered (empty, or dropped): nothing to train
    let start = a[0]!;
    const end = b[0]!;
    const cue = generationPrompt(messages.slice(0, i), render);
    const at = cue && start >= cue.length ? text.lastIndexOf(cue, start - cue.length) : -1;
    if (cue && at >= prevEnd) start = at + cue.length;
    else {
      const think = start >= 7 ? text.lastIndexOf('<think>', start - 7) : -1;
      if (think >= prevEnd && THINK.test(text.slice(think, start))) start = think;
    }
    spans.push([start, end]);
    prevEnd = end;
  }
  return { text, spans };
}
