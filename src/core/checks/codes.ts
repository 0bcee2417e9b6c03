/**
 * The one table of diagnostic codes. Editor, CLI, tests and README all read it.
 * A code is stable: never rename one, only add.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface CodeInfo {
  readonly severity: Severity;
  readonly summary: string;
  readonly fix: string;
}

export const CODES = {
  'invalid-json': {
    severity: 'error',
    summary: 'The line is not valid JSON.',
    fix: 'Correct the JSON at the marked column; each line must hold exactly one JSON object.',
  },
  'not-an-object': {
    severity: 'error',
    summary: 'The line is valid JSON but not an object.',
    fix: 'Wrap the record in an object with the fields of the dataset format, e.g. {"text": ...}.',
  },
  'unknown-format': {
    severity: 'error',
    summary: 'The record matches no supported dataset format.',
    fix: 'Use the fields of one format (see the formats table), or set finetuneStudio.validation.format / --format.',
  },
  'missing-key': {
    severity: 'error',
    summary: 'A required key is missing.',
    fix: 'Add the key named in the message.',
  },
  'misspelt-key': {
    severity: 'error',
    summary: 'A key looks like a misspelling of a required key that is missing.',
    fix: 'Rename the key (quick fix available).',
  },
  'unexpected-key': {
    severity: 'warning',
    summary: 'A key that belongs to another format, or that a chat turn does not allow.',
    fix: 'Remove the key or move the record to a file of the matching format.',
  },
  'wrong-type': {
    severity: 'error',
    summary: 'A value has the wrong JSON type.',
    fix: 'Change the value to the type named in the message.',
  },
  'invalid-value': {
    severity: 'error',
    summary: 'A value is outside what the format allows (enum, range, minimum length).',
    fix: 'Use one of the allowed values named in the message.',
  },
  'schema': {
    severity: 'error',
    summary: 'A violation of the user-supplied JSON Schema.',
    fix: 'Correct the value, or the schema given by finetuneStudio.validation.schema / --schema.',
  },
  'empty-content': {
    severity: 'error',
    summary: 'A text, prompt, completion or turn content is empty or whitespace only.',
    fix: 'Write the missing text or delete the record: empty targets teach the model to say nothing.',
  },
  'chosen-equals-rejected': {
    severity: 'error',
    summary: 'The chosen and rejected responses are identical.',
    fix: 'Replace the rejected response with a worse one, or drop the pair: it carries no preference signal.',
  },
  'unknown-role': {
    severity: 'error',
    summary: 'A turn has a role other than system, user, assistant or tool.',
    fix: 'Use a valid role (quick fix: the nearest one).',
  },
  'repeated-role': {
    severity: 'warning',
    summary: 'Two consecutive turns have the same role.',
    fix: 'Merge the turns or insert the missing turn; many chat templates reject non-alternating roles.',
  },
  'system-not-first': {
    severity: 'warning',
    summary: 'A system turn appears after the first turn.',
    fix: 'Move the system turn to the start of the conversation.',
  },
  'no-assistant-turn': {
    severity: 'error',
    summary: 'An SFT conversation (or completion) has no assistant turn.',
    fix: 'Add the assistant response: without one there is nothing to train on.',
  },
  'prompt-ends-with-assistant': {
    severity: 'warning',
    summary: 'A prompt ends with an assistant turn.',
    fix: 'End the prompt with a user turn; otherwise the model learns to continue its own reply.',
  },
  'response-not-assistant': {
    severity: 'error',
    summary: 'A chosen, rejected or preferred response contains a turn that is not an assistant turn.',
    fix: 'Responses must be assistant turns; move other turns into the prompt.',
  },
  'label-not-boolean': {
    severity: 'error',
    summary: 'An unpaired-preference (KTO) label is not a boolean.',
    fix: 'Use true (desirable) or false (undesirable) without quotes (quick fix available).',
  },
  'format-mismatch': {
    severity: 'warning',
    summary: "The record's format differs from the file's majority format.",
    fix: 'Convert the record to the majority format or move it to its own file; trainers expect one format per file.',
  },
  'template-mismatch': {
    severity: 'warning',
    summary: "The prompt follows a different instruction template from the file's majority.",
    fix: 'Rewrite the prompt in the majority template: mixed templates teach the model that the template is signal.',
  },
  'duplicate': {
    severity: 'warning',
    summary: 'The record is an exact duplicate of an earlier one.',
    fix: 'Delete the repeat (the related information points at the first occurrence).',
  },
  'too-long': {
    severity: 'warning',
    summary: 'The record is estimated to exceed the maximum sequence length.',
    fix: 'Shorten the record or raise training.maxSeqLength / finetuneStudio.validation.maxTokensPerRecord; it would be truncated.',
  },
  'few-records': {
    severity: 'info',
    summary: 'The dataset has fewer records than the smallest useful fine-tune (200).',
    fix: 'Style/format needs 200–500 examples, domain vocabulary 500–1,500, task specialisation 1,000–5,000.',
  },
  'heldout-leak': {
    severity: 'error',
    summary: 'A held-out record, or its prompt, is also in the paired training file.',
    fix: 'Remove it from one side (x.heldout.jsonl pairs with x.train.jsonl); held-out data must never touch training.',
  },
  // golden and safety sets (src/core/eval/evalFormats.ts)
  'unknown-assertion': {
    severity: 'error',
    summary: 'A golden-set assertion has a type that does not exist.',
    fix: 'Use one of equals, contains, not-contains, starts-with, regex, is-json, json-schema, max-length, refusal, not-refusal.',
  },
  'invalid-regex': {
    severity: 'error',
    summary: 'The value of a regex assertion is not a valid regular expression.',
    fix: 'Correct the pattern (JavaScript syntax; a backslash is written \\\\ inside JSON).',
  },
  'duplicate-id': {
    severity: 'error',
    summary: 'Two golden or safety items share an id.',
    fix: 'Give every item its own id: predictions and reports name items by it.',
  },
  'no-assertions': {
    severity: 'warning',
    summary: 'A golden item has an empty assert list and passes whatever the model says.',
    fix: 'Add at least one assertion.',
  },
  'too-many-problems': {
    severity: 'info',
    summary: 'More diagnostics than the per-file cap; the rest are not shown.',
    fix: 'Fix the reported ones, raise finetuneStudio.validation.maxDiagnosticsPerFile, or run `ftstudio validate` for all.',
  },
} as const satisfies Record<string, CodeInfo>;

export type Code = keyof typeof CODES;

export const ALL_CODES = Object.keys(CODES) as Code[];
