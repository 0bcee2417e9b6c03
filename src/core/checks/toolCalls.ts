/**
 * Tool calling and content parts, checked the way OpenAI's fine-tuning and TRL (transformers' chat
 * templates) read them: tool definitions, the calls an assistant turn makes, the tool turns that
 * answer them, and typed content parts (text, image_url, input_audio, file).
 *
 * OpenAI reads `function.arguments` as a JSON-encoded string of an object; TRL's documented examples
 * give it as the object itself. A call with an `id` (OpenAI's shape) must have a string; a call without
 * one may have either.
 */
import { lineDiag, type LineDiagnostic } from './diagnostic';
import { nearest, type FormatId } from '../formats/formats';
import { jsonTypeOf, pathLabel, type LineLocator } from './schemaCheck';
import type { JsonPath } from '../jsonl/locate';

type Rec = Record<string, unknown>;

const isObject = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where a record's tool definitions are: top-level `tools`, or `input.tools` in OpenAI preference. */
function toolsPath(rec: Rec, format: FormatId): JsonPath | undefined {
  if (format === 'openai-preference') return isObject(rec.input) && 'tools' in rec.input ? ['input', 'tools'] : undefined;
  return 'tools' in rec ? ['tools'] : undefined;
}

/** The tools list, decoded when it is a JSON string; undefined when it is absent or unreadable. */
function toolsList(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (typeof v !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(v);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** A definition's function part: OpenAI's {"type": "function", "function": {...}} or LLaMA-Factory's bare {...}. */
const functionOf = (entry: Rec): Rec => (isObject(entry.function) ? entry.function : entry);

/** The names of the functions a record defines (undefined when it defines none: then any name goes). */
export function toolNames(rec: Rec, format: FormatId): string[] | undefined {
  const p = toolsPath(rec, format);
  if (!p) return undefined;
  const list = toolsList(p.length === 1 ? rec.tools : (rec.input as Rec).tools);
  if (!list || list.length === 0) return undefined;
  const names: string[] = [];
  for (const e of list) if (isObject(e) && typeof functionOf(e).name === 'string') names.push(functionOf(e).name as string);
  return names.length ? names : undefined; // nameless definitions are invalid-tool-definition already
}

/** `tools`: a list of definitions (or a JSON string of one), each with a name and an object `parameters`. */
export function checkToolsDefinition(rec: Rec, format: FormatId, loc: LineLocator, out: LineDiagnostic[]): void {
  const p = toolsPath(rec, format);
  if (!p) return;
  const raw = p.length === 1 ? rec.tools : (rec.input as Rec).tools;
  if (raw === null || raw === undefined) return;
  let list: unknown[];
  let inString = false;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return; // LLaMA-Factory writes "" for "no tools"
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (e) {
      out.push(
        lineDiag(
          'invalid-tool-definition',
          loc.range(p),
          `${pathLabel(p)} is a string but not valid JSON (${(e as Error).message}): write the list of tool definitions, or a JSON string that holds it.`,
        ),
      );
      return;
    }
    if (!Array.isArray(parsed)) {
      out.push(
        lineDiag(
          'invalid-tool-definition',
          loc.range(p),
          `${pathLabel(p)} is a JSON string holding ${jsonTypeOf(parsed)}, not a list: wrap the definitions in [ ].`,
        ),
      );
      return;
    }
    list = parsed;
    inString = true;
  } else if (Array.isArray(raw)) {
    list = raw;
  } else {
    return; // the schema's wrong-type says it
  }
  list.forEach((entry, i) => {
    // inside a JSON string there is no finer range than the string itself
    const at = (...rest: JsonPath): { start: number; end: number } => loc.range(inString ? p : [...p, i, ...rest]);
    const where = `${pathLabel(p)}[${i}]`;
    if (!isObject(entry)) {
      out.push(
        lineDiag(
          'invalid-tool-definition',
          at(),
          `${where} is ${jsonTypeOf(entry)}: each tool is an object {"type": "function", "function": {"name", "description", "parameters"}}.`,
        ),
      );
      return;
    }
    if ('type' in entry && entry.type !== 'function') {
      out.push(lineDiag('invalid-tool-definition', at('type'), `${where}.type is ${JSON.stringify(entry.type)}: fine-tuning accepts only "function" tools.`));
    }
    const fn = functionOf(entry);
    const fnPath: JsonPath = fn === entry ? [] : ['function'];
    if (typeof fn.name !== 'string' || fn.name.trim() === '') {
      out.push(
        lineDiag(
          'invalid-tool-definition',
          at(...fnPath, ...('name' in fn ? ['name'] : [])),
          `${where} has no function name: give the tool a "name" (the name its calls use).`,
        ),
      );
    }
    if ('parameters' in fn && !isObject(fn.parameters)) {
      out.push(
        lineDiag(
          'invalid-tool-definition',
          at(...fnPath, 'parameters'),
          `${where}'s "parameters" is ${jsonTypeOf(fn.parameters)}: it must be a JSON Schema object such as {"type": "object", "properties": {...}}.`,
        ),
      );
    }
  });
}

/** The state of one record's calls: the ids made so far, and whether its calls carry ids (OpenAI's shape). */
export class CallLedger {
  readonly ids = new Set<string>();
  withIds = false;
  constructor(readonly tools: readonly string[] | undefined) {}
  /** A copy for a response list: chosen's calls are not rejected's. */
  fork(): CallLedger {
    const c = new CallLedger(this.tools);
    for (const id of this.ids) c.ids.add(id);
    c.withIds = this.withIds;
    return c;
  }
}

function checkArguments(args: unknown, openai: boolean, p: JsonPath, loc: LineLocator, out: LineDiagnostic[]): void {
  const label = pathLabel(p);
  if (args === undefined) return;
  if (typeof args !== 'string') {
    if (isObject(args)) {
      if (!openai) return; // TRL / chat templates take the object itself
      const r = loc.range(p);
      out.push(
        lineDiag('arguments-not-string', r, `${label} is an object, but OpenAI reads arguments as a JSON-encoded string: encode it (quick fix).`, {
          title: 'Encode the arguments as a JSON string',
          edits: [{ start: r.start, end: r.end, newText: JSON.stringify(JSON.stringify(args)) }],
        }),
      );
    } else {
      out.push(
        lineDiag(
          'arguments-not-object',
          loc.range(p),
          `${label} is ${jsonTypeOf(args)}: arguments are a JSON object of the parameters, e.g. "{\\"city\\": \\"Paris\\"}".`,
        ),
      );
    }
    return;
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(args);
  } catch (e) {
    out.push(
      lineDiag(
        'arguments-invalid-json',
        loc.range(p),
        `${label} is not valid JSON (${(e as Error).message}): the model would learn to emit calls no tool can parse. Correct the arguments string.`,
      ),
    );
    return;
  }
  if (typeof decoded === 'string') {
    let inner: unknown;
    try {
      inner = JSON.parse(decoded);
    } catch {
      inner = undefined;
    }
    const r = loc.range(p);
    out.push(
      lineDiag(
        'arguments-double-encoded',
        r,
        `${label} is JSON-encoded twice: it decodes to a string, not an object. Decode it once${isObject(inner) ? ' (quick fix)' : ''}.`,
        isObject(inner)
          ? { title: 'Decode the double-encoded arguments', edits: [{ start: r.start, end: r.end, newText: JSON.stringify(decoded) }] }
          : undefined,
      ),
    );
    return;
  }
  if (!isObject(decoded)) {
    out.push(
      lineDiag(
        'arguments-not-object',
        loc.range(p),
        `${label} decodes to ${jsonTypeOf(decoded)}: arguments must encode a JSON object of the parameters, e.g. "{\\"city\\": \\"Paris\\"}".`,
      ),
    );
  }
}

/** A turn's tool calls (assistant) or its answer to one (tool). `ledger` is undefined outside chat turns. */
export function checkToolCalls(
  turn: Rec,
  role: string | undefined,
  path: JsonPath,
  loc: LineLocator,
  out: LineDiagnostic[],
  ledger: CallLedger | undefined,
): void {
  if (!ledger) return;
  const calls = turn.tool_calls;
  if (Array.isArray(calls)) {
    calls.forEach((call, j) => {
      const p: JsonPath = [...path, 'tool_calls', j];
      if (!isObject(call)) return; // the schema's wrong-type
      const openai = 'id' in call;
      if (typeof call.id === 'string') {
        ledger.ids.add(call.id);
        ledger.withIds = true;
      }
      if ('type' in call && call.type !== 'function') {
        const r = loc.range([...p, 'type']);
        out.push(
          lineDiag('tool-call-wrong-type', r, `${pathLabel(p)}.type is ${JSON.stringify(call.type)}: a tool call's type must be "function".`, {
            title: 'Set the type to "function"',
            edits: [{ start: r.start, end: r.end, newText: '"function"' }],
          }),
        );
      }
      const fn = call.function;
      if (!isObject(fn)) {
        out.push(
          lineDiag(
            'tool-call-no-name',
            loc.range('function' in call ? [...p, 'function'] : p),
            `${pathLabel(p)} has no "function" object: write {"type": "function", "function": {"name": ..., "arguments": ...}}.`,
          ),
        );
        return;
      }
      const name = fn.name;
      if (typeof name !== 'string' || name.trim() === '') {
        out.push(
          lineDiag(
            'tool-call-no-name',
            loc.range('name' in fn ? [...p, 'function', 'name'] : [...p, 'function']),
            `${pathLabel(p)}.function has no name: name the function it calls (one of the record's tools).`,
          ),
        );
      } else if (ledger.tools && !ledger.tools.includes(name)) {
        const r = loc.range([...p, 'function', 'name']);
        const near = nearest(name, ledger.tools, (c) => Math.max(1, Math.min(3, Math.floor(c.length / 4))));
        out.push(
          lineDiag(
            'tool-call-unknown-function',
            r,
            `${pathLabel(p)} calls "${name}", which is not among the record's tools (${ledger.tools.join(', ') || 'none'})${near ? `: did you mean "${near}"?` : ': define it in "tools" or call a defined one.'}`,
            near ? { title: `Call "${near}"`, edits: [{ start: r.start, end: r.end, newText: JSON.stringify(near) }] } : undefined,
          ),
        );
      }
      checkArguments(fn.arguments, openai, [...p, 'function', 'arguments'], loc, out);
    });
  }
  if (role === 'tool') {
    const id = turn.tool_call_id;
    if (id === undefined) {
      // TRL's tool turns name the function instead; OpenAI's answer a call by its id
      if (ledger.withIds) {
        out.push(
          lineDiag(
            'tool-result-no-id',
            loc.range([...path, 'role']),
            `${pathLabel(path)} is a tool result without "tool_call_id": add the id of the call it answers (${[...ledger.ids].slice(0, 3).join(', ')}${ledger.ids.size > 3 ? ', …' : ''}).`,
          ),
        );
      }
    } else if (typeof id === 'string' && !ledger.ids.has(id)) {
      out.push(
        lineDiag(
          'tool-result-unknown-id',
          loc.range([...path, 'tool_call_id']),
          `${pathLabel(path)} answers the call "${id}", but no earlier tool call has that id${ledger.ids.size ? ` (known: ${[...ledger.ids].slice(0, 3).join(', ')})` : ''}: use the id of the call it answers.`,
        ),
      );
    }
  }
}

const AUDIO_FORMATS = ['wav', 'mp3'];

/** Typed content parts as OpenAI reads them; part types it does not define (TRL's "image" …) are left alone. */
export function checkContentParts(parts: unknown[], role: string | undefined, path: JsonPath, loc: LineLocator, out: LineDiagnostic[]): void {
  parts.forEach((part, k) => {
    if (!isObject(part)) return; // the schema
    const p: JsonPath = [...path, 'content', k];
    const bad = (at: JsonPath, message: string, fix?: LineDiagnostic['fix']) => out.push(lineDiag('invalid-content-part', loc.range(at), message, fix));
    switch (part.type) {
      case 'text':
        if (typeof part.text !== 'string') {
          bad(
            'text' in part ? [...p, 'text'] : p,
            `${pathLabel(p)} is a text part ${'text' in part ? `whose "text" is ${jsonTypeOf(part.text)}` : 'without "text"'}: write {"type": "text", "text": "..."}.`,
          );
        }
        break;
      case 'image_url': {
        const v = part.image_url;
        if (typeof v === 'string') {
          const r = loc.range([...p, 'image_url']);
          bad([...p, 'image_url'], `${pathLabel(p)}.image_url is a bare string: OpenAI wants an object {"url": "..."} (quick fix).`, {
            title: 'Wrap the image URL in {"url": ...}',
            edits: [{ start: r.start, end: r.end, newText: `{"url": ${JSON.stringify(v)}}` }],
          });
        } else if (!isObject(v) || typeof v.url !== 'string') {
          bad('image_url' in part ? [...p, 'image_url'] : p, `${pathLabel(p)} needs "image_url": {"url": "https://… or data:image/…;base64,…"}.`);
        } else if ('detail' in v && !['auto', 'low', 'high'].includes(v.detail as string)) {
          bad([...p, 'image_url', 'detail'], `${pathLabel(p)}.image_url.detail must be "auto", "low" or "high", not ${JSON.stringify(v.detail)}.`);
        }
        if (role !== undefined && role !== 'user') {
          out.push(
            lineDiag(
              'image-outside-user-turn',
              loc.range(p),
              `${pathLabel(p)} is an image in ${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role} turn: OpenAI accepts images only in user turns. Move it to a user turn.`,
            ),
          );
        }
        break;
      }
      case 'input_audio': {
        const v = part.input_audio;
        if (!isObject(v) || typeof v.data !== 'string' || !AUDIO_FORMATS.includes(v.format as string)) {
          bad('input_audio' in part ? [...p, 'input_audio'] : p, `${pathLabel(p)} needs "input_audio": {"data": "<base64>", "format": "wav" or "mp3"}.`);
        }
        break;
      }
      case 'file': {
        const v = part.file;
        if (!isObject(v) || (typeof v.file_id !== 'string' && typeof v.file_data !== 'string')) {
          bad('file' in part ? [...p, 'file'] : p, `${pathLabel(p)} needs "file": {"file_id": "..."} or {"file_data": "<base64>", "filename": "..."}.`);
        }
        break;
      }
      default:
        break;
    }
  });
}
