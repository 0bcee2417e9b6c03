// The JSON Schemas of the format variants (src/core/formats/schemas.ts), compiled as the validator compiles them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Ajv2020 from 'ajv/dist/2020';
import { VARIANT_SCHEMAS } from '../../src/core/formats/schemas';

test('a chat turn may hold text, null (a tool-call turn) or a list of typed parts as its content, nothing else', () => {
  const variant = VARIANT_SCHEMAS.find((v) => v.format === 'language-modeling' && v.conversational)!;
  const validate = new Ajv2020({ allErrors: true, strict: false, allowUnionTypes: true }).compile(variant.schema);
  const turns = (content: unknown) => ({
    messages: [
      { role: 'user', content: 'q' },
      { role: 'assistant', content },
    ],
  });
  // pins: string, null and [{type, ...}] contents are valid turns
  for (const content of ['Paris.', null, [{ type: 'text', text: 'Paris.' }]]) assert.equal(validate(turns(content)), true, JSON.stringify(content));
  // pins: a number or an object is a content type error, and a part without its type is one too
  for (const content of [42, { text: 'Paris.' }, [{ text: 'Paris.' }]]) assert.equal(validate(turns(content)), false, JSON.stringify(content));
});
