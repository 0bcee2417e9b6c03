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
  schema: {
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
    summary: 'A turn has a role other than system, developer, user, assistant or tool.',
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
  'no-user-turn': {
    severity: 'warning',
    summary: 'A conversation has assistant turns but no user turn.',
    fix: 'Add the user message the assistant answers; a chat of system and assistant turns only teaches replies to nothing.',
  },
  'arguments-double-encoded': {
    severity: 'error',
    summary: "A tool call's arguments are JSON-encoded twice: they decode to a string, not an object.",
    fix: 'Decode them once (quick fix): arguments hold the JSON of an object, e.g. "{\"city\": \"Paris\"}".',
  },
  'arguments-invalid-json': {
    severity: 'error',
    summary: "A tool call's arguments string is not valid JSON.",
    fix: 'Correct the arguments string: it must be the JSON encoding of an object of the parameters.',
  },
  'arguments-not-object': {
    severity: 'error',
    summary: "A tool call's arguments are (or decode to) a list, number or other non-object.",
    fix: 'Give the parameters as a JSON object, e.g. "{\"city\": \"Paris\"}".',
  },
  'arguments-not-string': {
    severity: 'error',
    summary: 'An OpenAI-style tool call (one with an id) has arguments as an object; OpenAI reads a JSON string.',
    fix: 'Encode the object as a JSON string (quick fix). TRL-style calls without an id may keep the object.',
  },
  'tool-call-no-name': {
    severity: 'error',
    summary: 'A tool call has no function, or its function has no name.',
    fix: 'Write {"type": "function", "function": {"name": ..., "arguments": ...}} with the name of one of the tools.',
  },
  'tool-call-unknown-function': {
    severity: 'error',
    summary: "A tool call names a function that is not among the record's tools.",
    fix: 'Call a defined function (quick fix when one is close) or add its definition to "tools".',
  },
  'tool-call-wrong-type': {
    severity: 'error',
    summary: 'A tool call\'s type is not "function".',
    fix: 'Set "type": "function" (quick fix): fine-tuning supports function tools only.',
  },
  'tool-result-no-id': {
    severity: 'error',
    summary: 'A tool turn has no tool_call_id although the calls before it have ids.',
    fix: 'Add "tool_call_id" with the id of the call this result answers.',
  },
  'tool-result-unknown-id': {
    severity: 'error',
    summary: 'A tool turn answers a tool_call_id that no earlier tool call has.',
    fix: 'Use the id of the call it answers, or add that call to the assistant turn before it.',
  },
  'invalid-tool-definition': {
    severity: 'error',
    summary: 'A "tools" entry is malformed: not a list (or JSON string of one), no function name, parameters not an object.',
    fix: 'Write each tool as {"type": "function", "function": {"name", "description", "parameters": {"type": "object", ...}}}.',
  },
  'invalid-content-part': {
    severity: 'error',
    summary: 'A typed content part lacks what its type needs (text without "text", image_url as a bare string, …).',
    fix: 'Follow the part type: {"type": "text", "text"}, {"type": "image_url", "image_url": {"url"}}, {"type": "input_audio", "input_audio": {"data", "format"}}, {"type": "file", "file": {...}}.',
  },
  'image-outside-user-turn': {
    severity: 'error',
    summary: 'An image part is in a system, assistant or tool turn; OpenAI accepts images only in user turns.',
    fix: 'Move the image into a user turn.',
  },
  'media-count-mismatch': {
    severity: 'error',
    summary: 'The number of images (videos, audios) differs from the number of `<image>` (`<video>`, `<audio>`) placeholders.',
    fix: 'Put one placeholder in the text for each listed file; LLaMA-Factory refuses the record otherwise.',
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
  'missing-system-turn': {
    severity: 'warning',
    summary: 'A conversation has no system turn while most of the file has one.',
    fix: 'Add the system prompt the other records use: a model trained with and without it learns two behaviours.',
  },
  duplicate: {
    severity: 'warning',
    summary: 'The record is an exact duplicate of an earlier one.',
    fix: 'Delete the repeat (the related information points at the first occurrence).',
  },
  'too-long': {
    severity: 'warning',
    summary:
      "The record exceeds the maximum sequence length (counted with the model's tokenizer and chat template when they are on this machine, else estimated at 4 characters a token).",
    fix: 'Shorten the record or raise training.maxSeqLength / finetuneStudio.validation.maxTokensPerRecord; it would be truncated.',
  },
  'few-records': {
    severity: 'info',
    summary: 'The dataset has fewer records than the smallest useful fine-tune (200).',
    fix: 'Style/format needs 200–500 examples, domain vocabulary 500–1,500, task specialisation 1,000–5,000.',
  },
  'heldout-leak': {
    severity: 'error',
    summary: 'A held-out record is also, exactly, in the paired training file.',
    fix: 'Remove it from one side (x.heldout.jsonl / valid.jsonl / x_test.jsonl pair with x.train.jsonl / train.jsonl / x_train.jsonl); held-out data must never touch training.',
  },
  'heldout-prompt-leak': {
    severity: 'error',
    summary: "A held-out record's prompt is also in the paired training file (with a different response).",
    fix: 'Keep each prompt on one side: a held-out prompt seen in training inflates held-out scores.',
  },
  'near-duplicate': {
    severity: 'warning',
    summary: 'The record nearly repeats an earlier one (MinHash estimate of word 5-gram Jaccard ≥ the threshold, 0.85 by default).',
    fix: 'Keep one record of the cluster or make them differ (the related information points at its first record); set finetuneStudio.validation.nearDuplicateThreshold or data.nearDuplicateThreshold to tune.',
  },
  'heldout-near-leak': {
    severity: 'warning',
    summary: 'A held-out record nearly repeats a record of the paired training file (word 5-gram Jaccard ≥ the threshold).',
    fix: 'Rewrite or move one of the two: a near copy of a training record inflates held-out scores like an exact one.',
  },
  'heldout-semantic-leak': {
    severity: 'warning',
    summary:
      'A held-out record says nearly the same as a record of the paired training file: its nearest training record by a local embedding model is at cosine ≥ the threshold (0.95 by default). Checked by "Validate All Datasets" and ftstudio validate when an embedding model is configured, not as you type.',
    fix: 'Rewrite or move one of the two: a paraphrase of a training record inflates held-out scores. Tune with embeddings.threshold in finetune.json or finetuneStudio.embeddings.threshold.',
  },
  'size-vs-goal': {
    severity: 'info',
    summary: "Where the dataset's size stands against the guide's range for the goal in finetune.json.",
    fix: 'Style 200–500 records, domain vocabulary 500–1,500, task 1,000–5,000, instruction following 2,000–10,000: add records (or check that more is still better than fewer, cleaner ones).',
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
