/** Deterministic benchmark datasets: the same bytes on every machine (seeded PRNG, no Math.random). */
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { once } from 'node:events';

/** A seeded PRNG (mulberry32): the same sequence on every machine. Benches and tests share it. */
export function mulberry32(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the model data train token answer question review python function value result loss gradient adapter rank prompt chosen rejected helpful accurate concise explain summary détail 数据 ñandú'.split(
    ' ',
  );

function sentence(rnd: () => number, words: number): string {
  let s = '';
  for (let i = 0; i < words; i++) s += (i ? ' ' : '') + WORDS[Math.floor(rnd() * WORDS.length)];
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

export type Kind = 'preference' | 'conversational' | 'tools' | 'sharegpt';

const TOOLS = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      description: 'Weather for a place',
      parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'search_docs',
      description: 'Search the documentation',
      parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } }, required: ['query'] },
    },
  },
];

/** An OpenAI tool-calling chat: a call with an id and JSON-string arguments, its result, the answer. */
function toolChat(rnd: () => number, i: number): string {
  const weather = rnd() < 0.5;
  const id = `call_${i.toString(36)}`;
  const args = weather ? { location: sentence(rnd, 2) } : { query: sentence(rnd, 6), limit: 1 + Math.floor(rnd() * 9) };
  return JSON.stringify({
    messages: [
      { role: 'system', content: 'You are a careful assistant with tools.' },
      { role: 'user', content: `${sentence(rnd, 10 + Math.floor(rnd() * 30))} (#${i})` },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id, type: 'function', function: { name: weather ? 'get_weather' : 'search_docs', arguments: JSON.stringify(args) } }],
      },
      { role: 'tool', tool_call_id: id, content: sentence(rnd, 10 + Math.floor(rnd() * 40)) },
      { role: 'assistant', content: sentence(rnd, 20 + Math.floor(rnd() * 60)) },
    ],
    tools: TOOLS,
    parallel_tool_calls: false,
  });
}

/** A ShareGPT conversation as LLaMA-Factory and FastChat write them, with a system prompt. */
function shareGpt(rnd: () => number, i: number): string {
  const turns = 2 + 2 * Math.floor(rnd() * 3);
  const conversations: { from: string; value: string }[] = [];
  for (let t = 0; t < turns; t++)
    conversations.push({ from: t % 2 ? 'gpt' : 'human', value: sentence(rnd, 15 + Math.floor(rnd() * 60)) + (t === 0 ? ` (#${i})` : '') });
  return JSON.stringify({ conversations, system: 'You are a careful assistant.' });
}

export function record(kind: Kind, rnd: () => number, i: number): string {
  if (kind === 'tools') return toolChat(rnd, i);
  if (kind === 'sharegpt') return shareGpt(rnd, i);
  if (kind === 'preference') {
    return JSON.stringify({
      prompt: `You are a careful assistant. ${sentence(rnd, 20 + Math.floor(rnd() * 30))} (#${i})`,
      chosen: sentence(rnd, 40 + Math.floor(rnd() * 80)),
      rejected: sentence(rnd, 30 + Math.floor(rnd() * 60)),
    });
  }
  const turns = 2 + 2 * Math.floor(rnd() * 3);
  const messages: { role: string; content: string }[] = [{ role: 'system', content: 'You are a careful assistant.' }];
  for (let t = 0; t < turns; t++)
    messages.push({ role: t % 2 ? 'assistant' : 'user', content: sentence(rnd, 15 + Math.floor(rnd() * 60)) + (t === 0 ? ` (#${i})` : '') });
  return JSON.stringify({ messages });
}

export async function generate(path: string, kind: Kind, bytes: number, seed = 42): Promise<void> {
  if (existsSync(path) && statSync(path).size >= bytes) return;
  const rnd = mulberry32(seed);
  const out = createWriteStream(path);
  let written = 0;
  let chunk = '';
  for (let i = 0; written < bytes; i++) {
    const line = record(kind, rnd, i) + '\n';
    chunk += line;
    written += Buffer.byteLength(line);
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  out.end();
  await once(out, 'finish');
}
