/** Golden assertions against test/fixtures/assertion-vectors.json: the same table trainer/tests/test_gates.py checks in Python. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkAssertion, type Assertion } from '../../src/core/eval/assertions';
import { compileUserSchema } from '../../src/core/checks/schemaCheck';
import { refusalDetector } from '../../src/core/eval/refusal';

interface Vector {
  readonly name: string;
  readonly assert: Assertion;
  readonly output: string;
  readonly pass: boolean;
}

const { vectors } = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'assertion-vectors.json'), 'utf8')) as { vectors: Vector[] };

test('the assertion vectors cover every assertion type, passing and failing', () => {
  const types = ['equals', 'contains', 'not-contains', 'starts-with', 'regex', 'is-json', 'json-schema', 'max-length', 'refusal', 'not-refusal'];
  for (const t of types) {
    assert.ok(
      vectors.some((v) => v.assert.type === t && v.pass),
      `${t} passing`,
    );
    assert.ok(
      vectors.some((v) => v.assert.type === t && !v.pass),
      `${t} failing`,
    );
  }
});

for (const v of vectors) {
  test(`assertion vector: ${v.name}`, () => {
    const failure = checkAssertion(v.assert, v.output, {
      isRefusal: refusalDetector(),
      schemaOf: (a) => compileUserSchema(a.value, 'vector'),
    });
    assert.equal(failure === undefined, v.pass, failure?.message ?? 'passed');
  });
}
