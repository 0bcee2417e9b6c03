// A word-level tokenizer the tests write by hand (no Python, no download): one token per space-separated
// word, the chat markers and <s> / </s> as special tokens, and a chat template that ends each assistant turn
// with </s>. Used by test/unit/tokens.test.ts and test/e2e/tokens.e2e.test.ts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const WORD_TEMPLATE = "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }}{% if m['role'] == 'assistant' %}</s>{% endif %} {% endfor %}";

const WORDS = ['<unk>', '<s>', '</s>', '<|user|>', '<|assistant|>', 'a', 'b', 'hello', 'world', '\n'];

/** A word-level tokenizer: one token per space-separated word, the chat markers as special tokens. */
export function writeWordTokenizer(dir: string, chatTemplate?: string): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(wordTokenizerFiles(chatTemplate))) writeFileSync(join(dir, name), text);
}

/** The files of the tokenizer: tokenizer.json and tokenizer_config.json. */
export function wordTokenizerFiles(chatTemplate?: string): Record<string, string> {
  const vocab = Object.fromEntries(WORDS.map((w, i) => [w, i]));
  const added = WORDS.slice(0, 5).map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
  return {
    'tokenizer.json': JSON.stringify({
      version: '1.0',
      added_tokens: added,
      normalizer: null,
      pre_tokenizer: { type: 'WhitespaceSplit' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab, unk_token: '<unk>' },
    }),
    'tokenizer_config.json': JSON.stringify({
      bos_token: '<s>',
      eos_token: '</s>',
      unk_token: '<unk>',
      ...(chatTemplate ? { chat_template: chatTemplate } : {}),
    }),
  };
}
