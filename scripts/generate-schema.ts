// schemas/finetune.schema.json (contributed to VS Code through jsonValidation) is generated from the
// loader's schema, itself built from the table of trainer methods (src/core/training/methods.ts).
// `npm run schema` writes it; `npm run schema -- --check` fails when the committed file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FINETUNE_SCHEMA } from '../src/core/training/config';

export const SCHEMA_FILE = join(__dirname, '..', 'schemas', 'finetune.schema.json');

export function schemaText(): string {
  return JSON.stringify(FINETUNE_SCHEMA, null, 2) + '\n';
}

if (require.main === module) {
  const text = schemaText();
  if (process.argv.includes('--check')) {
    if (readFileSync(SCHEMA_FILE, 'utf8') !== text) {
      console.error(`${SCHEMA_FILE} is out of date: run npm run schema`);
      process.exit(1);
    }
  } else {
    writeFileSync(SCHEMA_FILE, text);
    console.log(`wrote ${SCHEMA_FILE}`);
  }
}
