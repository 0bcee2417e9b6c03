// A training file and its held-out file for the semantic checks (with test/parity/onnxEmbedder.ts's model):
// training lines 1 and 3 say the same thing in other words (no word 5-gram shared, so MinHash misses them);
// held-out line 2 is nearest to training line 3 (more filler words alike);
// held-out line 2 is a third paraphrase of them (a semantic leak); the rest differ. Used by the unit, CLI
// and e2e tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const chat = (q: string, a: string) =>
  JSON.stringify({
    messages: [
      { role: 'user', content: q },
      { role: 'assistant', content: a },
    ],
  });

export const SEMANTIC_TRAIN = [
  chat('How do I get a refund for my order?', 'Open Orders and choose Refund.'),
  chat('What is the capital of France?', 'Paris.'),
  chat('Can I have my money back for this purchase?', 'Go to Orders and pick Refund.'),
  chat('How do I reset my password?', 'Use the Forgot password link.'),
  chat('How long does shipping take?', 'Delivery takes about one week.'),
];

export const SEMANTIC_HELDOUT = [
  chat('What is the capital of Italy?', 'Rome.'),
  chat('I want my money back for an order, how?', 'Choose Refund after you open Orders.'),
];

/** train.jsonl and heldout.jsonl in `dir` (paired by name); their paths. */
export function writeSemanticDataset(dir: string): { train: string; heldout: string } {
  mkdirSync(dir, { recursive: true });
  const train = join(dir, 'train.jsonl');
  const heldout = join(dir, 'heldout.jsonl');
  writeFileSync(train, SEMANTIC_TRAIN.join('\n') + '\n');
  writeFileSync(heldout, SEMANTIC_HELDOUT.join('\n') + '\n');
  return { train, heldout };
}
