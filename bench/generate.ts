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

const WORDS = 'the model data train token answer question review python function value result loss gradient adapter rank prompt chosen rejected helpful accurate concise explain summary détail 数据 ñandú'.split(' ');

function sentence(rnd: () => number, words: number): string {
  let s = '';
  for (let i = 0; i < words; i++) s += (i ? ' ' : '') + WORDS[Math.floor(rnd() * WORDS.length)];
  return s.charAt(0).toUpperCase() + s.slice(1) + '.';
}

export type Kind = 'preference' | 'conversational';

export function record(kind: Kind, rnd: () => number, i: number): string {
  if (kind === 'preference') {
    return JSON.stringify({
      prompt: `You are a careful assistant. ${sentence(rnd, 20 + Math.floor(rnd() * 30))} (#${i})`,
      chosen: sentence(rnd, 40 + Math.floor(rnd() * 80)),
      rejected: sentence(rnd, 30 + Math.floor(rnd() * 60)),
    });
  }
  const turns = 2 + 2 * Math.floor(rnd() * 3);
  const messages: { role: string; content: string }[] = [{ role: 'system', content: 'You are a careful assistant.' }];
  for (let t = 0; t < turns; t++) messages.push({ role: t % 2 ? 'assistant' : 'user', content: sentence(rnd, 15 + Math.floor(rnd() * 60)) + (t === 0 ? ` (#${i})` : '') });
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
