// The README documents every diagnostic code and format exactly as the code defines them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODES } from '../../src/core/checks/codes';
import { FORMATS } from '../../src/core/formats/formats';

const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');

test('README: one row per diagnostic code, with its severity', () => {
  for (const [code, info] of Object.entries(CODES)) {
    assert.ok(readme.includes(`| \`${code}\` | ${info.severity} | ${info.summary} |`), `README row for ${code}`);
  }
});

test('README: one row per format; package.json offers the same formats', () => {
  for (const f of Object.values(FORMATS)) assert.ok(readme.includes(`| \`${f.id}\` | ${f.title} |`), f.id);
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
  assert.deepEqual(pkg.contributes.configuration.properties['finetuneStudio.validation.format'].enum, ['auto', ...Object.keys(FORMATS)]);
});

test('README shows the two commands', () => {
  assert.ok(readme.includes('npm install && npm start'));
  assert.ok(readme.includes('npm install && npm test'));
});

test('schemas/finetune.schema.json (contributed to VS Code) is the schema generated from the table of trainer methods', async () => {
  const { schemaText, SCHEMA_FILE } = await import('../../scripts/generate-schema');
  assert.equal(readFileSync(SCHEMA_FILE, 'utf8'), schemaText(), 'out of date: run npm run schema');
  const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8'));
  assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: 'finetune.json', url: './schemas/finetune.schema.json' }]);
});
