/** A record turned into parts a person can read: chat turns, prompt/completion, pairs side by side. */
import { detectFormat } from '../formats/formats';
import type { RecordPart } from '../../protocol/review';

type Rec = Record<string, unknown>;

function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v.map((p) => (p && typeof p === 'object' && typeof (p as Rec).text === 'string' ? (p as Rec).text : JSON.stringify(p))).join('\n');
  if (v === null || v === undefined) return '';
  return JSON.stringify(v, null, 2);
}

function turns(v: unknown, sharegpt = false): { role: string; content: string }[] {
  if (!Array.isArray(v)) return [];
  return v.map((t) => {
    const o = (t && typeof t === 'object' ? t : {}) as Rec;
    const role = String(sharegpt ? (o.from ?? '?') : (o.role ?? '?'));
    let content = text(sharegpt ? o.value : o.content);
    if (!sharegpt && Array.isArray(o.tool_calls) && o.tool_calls.length)
      content += `${content ? '\n' : ''}[tool calls] ${JSON.stringify(o.tool_calls, null, 2)}`;
    return { role, content };
  });
}

/** A value as a readable part: a list becomes chat turns, anything else text. */
export function part(label: string, v: unknown, sharegpt = false): RecordPart {
  return Array.isArray(v) ? { kind: 'turns', label, turns: turns(v, sharegpt) } : { kind: 'text', label, text: text(v) };
}

export function recordParts(line: string): RecordPart[] {
  let rec: unknown;
  try {
    rec = JSON.parse(line);
  } catch {
    return [{ kind: 'raw', label: 'Not valid JSON', text: line }];
  }
  if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return [{ kind: 'raw', label: 'Not a JSON object', text: line }];
  const r = rec as Rec;
  const d = detectFormat(r);
  switch (d?.format) {
    case 'language-modeling':
      return [r.messages !== undefined ? part('Conversation', r.messages) : part('Text', r.text)];
    case 'prompt-only':
      return [part('Prompt', r.prompt)];
    case 'prompt-completion':
      return [part('Prompt', r.prompt), part('Completion', r.completion)];
    case 'unpaired-preference':
      return [part('Prompt', r.prompt), part(`Completion (label: ${JSON.stringify(r.label)})`, r.completion)];
    case 'preference': {
      const out: RecordPart[] = r.prompt !== undefined ? [part('Prompt', r.prompt)] : [];
      out.push({ kind: 'pair', left: part('Chosen', r.chosen), right: part('Rejected', r.rejected) });
      return out;
    }
    case 'openai-preference':
      return [
        part('Prompt', (r.input as Rec | undefined)?.messages),
        { kind: 'pair', left: part('Preferred', r.preferred_output), right: part('Non-preferred', r.non_preferred_output) },
      ];
    case 'alpaca': {
      const out: RecordPart[] = [];
      if (typeof r.system === 'string' && r.system) out.push(part('System', r.system));
      out.push(part('Instruction', r.instruction));
      if (typeof r.input === 'string' && r.input) out.push(part('Input', r.input));
      out.push(part('Output', r.output));
      return out;
    }
    case 'sharegpt': {
      const out: RecordPart[] = [];
      if (typeof r.system === 'string' && r.system) out.push(part('System', r.system));
      out.push(part('Conversation', r.conversations, true));
      return out;
    }
    case 'sharegpt-preference': {
      // chosen and rejected are single ShareGPT turns: shown as one-turn lists
      const one = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? [v] : v);
      const out: RecordPart[] = [];
      if (typeof r.system === 'string' && r.system) out.push(part('System', r.system));
      out.push(part('Conversation', r.conversations, true));
      out.push({ kind: 'pair', left: part('Chosen', one(r.chosen), true), right: part('Rejected', one(r.rejected), true) });
      return out;
    }
    case 'stepwise-supervision': {
      const steps = Array.isArray(r.completions) ? r.completions : [];
      const labels = Array.isArray(r.labels) ? r.labels : [];
      return [part('Prompt', r.prompt), ...steps.map((s, i) => part(`Step ${i + 1} (label: ${JSON.stringify(labels[i])})`, s))];
    }
    default:
      return [{ kind: 'raw', label: 'Record', text: JSON.stringify(r, null, 2) }];
  }
}
