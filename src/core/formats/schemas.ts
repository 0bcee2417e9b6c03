/** JSON Schemas (draft 2020-12) of every format variant. Semantic rules live in checks/, not here. */
import { FORMAT_IDS, FORMATS, type FormatId } from './formats';

type Schema = Record<string, unknown>;

/** `developer` is OpenAI's (and TRL's Harmony) name for the system turn of reasoning models. */
export const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

/** A chat turn as TRL and OpenAI accept it (role is checked semantically, for a better fix). */
export const TURN_KEYS = ['role', 'content', 'name', 'tool_calls', 'tool_call_id', 'weight', 'reasoning_content', 'thinking', 'refusal'];
const turn: Schema = {
  type: 'object',
  required: ['role'],
  properties: {
    role: { type: 'string' },
    content: {
      type: ['string', 'null', 'array'],
      items: { type: 'object', required: ['type'], properties: { type: { type: 'string' } } },
    },
    name: { type: 'string' },
    tool_calls: { type: 'array', items: { type: 'object' } },
    tool_call_id: { type: 'string' },
    weight: { enum: [0, 1] },
    reasoning_content: { type: 'string' },
    thinking: { type: 'string' },
    refusal: { type: ['string', 'null'] },
  },
  additionalProperties: false,
};
const turns: Schema = { type: 'array', minItems: 1, items: turn };

export const SHAREGPT_TURN_KEYS = ['from', 'value', 'weight', 'loss_weight'];
const sharegptTurn: Schema = {
  type: 'object',
  required: ['from', 'value'],
  properties: { from: { type: 'string' }, value: { type: 'string' }, weight: { enum: [0, 1] }, loss_weight: { type: 'number', minimum: 0 } },
  additionalProperties: false,
};

/** A list of tool definitions, or (TRL, LLaMA-Factory) a JSON string holding one: its content is checked in checks/toolCalls. */
const tools: Schema = { type: ['array', 'string'], items: { type: 'object' } };
/** LLaMA-Factory's media columns: lists of paths (or URLs). */
const media: Schema = { type: 'array', items: { type: 'string' } };
const mediaProps: Schema = { images: media, videos: media, audios: media };
/** KTO labels: their type is a semantic check (label-not-boolean), for the quick fix. */
const ktoProps: Schema = { label: {}, kto_tag: {} };

function trl(required: string[], optional: string[], conversational: boolean, extra: Schema = {}): Schema {
  const properties: Schema = { tools };
  for (const k of [...required, ...optional]) properties[k] = conversational ? turns : { type: 'string' };
  return { type: 'object', required, properties: { ...properties, ...extra } };
}

function build(format: FormatId, conversational: boolean): Schema {
  switch (format) {
    case 'language-modeling':
      return conversational ? trl(['messages'], [], true, { parallel_tool_calls: { type: 'boolean' }, ...ktoProps, ...mediaProps }) : trl(['text'], [], false);
    case 'prompt-only':
      return trl(['prompt'], [], conversational);
    case 'prompt-completion':
      return trl(['prompt', 'completion'], [], conversational);
    case 'preference':
      return trl(['chosen', 'rejected'], ['prompt'], conversational);
    case 'unpaired-preference':
      // label's type is a semantic check (label-not-boolean) so that it gets a quick fix
      return trl(['prompt', 'completion', 'label'], [], conversational, { label: {} });
    case 'openai-preference':
      return {
        type: 'object',
        required: ['input', 'preferred_output', 'non_preferred_output'],
        properties: {
          input: {
            type: 'object',
            required: ['messages'],
            properties: { messages: turns, tools, parallel_tool_calls: { type: 'boolean' } },
            additionalProperties: false,
          },
          preferred_output: turns,
          non_preferred_output: turns,
        },
      };
    case 'alpaca':
      return {
        type: 'object',
        required: ['instruction', 'output'],
        properties: {
          instruction: { type: 'string' },
          input: { type: 'string' },
          output: { type: 'string' },
          system: { type: 'string' },
          history: { type: 'array', items: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } },
          kto_tag: {},
          ...mediaProps,
        },
      };
    case 'sharegpt':
      return {
        type: 'object',
        required: ['conversations'],
        properties: {
          conversations: { type: 'array', minItems: 1, items: sharegptTurn },
          system: { type: 'string' },
          tools,
          ...ktoProps,
          ...mediaProps,
        },
      };
    case 'sharegpt-preference':
      return {
        type: 'object',
        required: ['conversations', 'chosen', 'rejected'],
        properties: {
          conversations: { type: 'array', minItems: 1, items: sharegptTurn },
          chosen: sharegptTurn,
          rejected: sharegptTurn,
          system: { type: 'string' },
          tools,
          ...mediaProps,
        },
      };
    case 'stepwise-supervision':
      return {
        type: 'object',
        required: ['prompt', 'completions', 'labels'],
        properties: {
          prompt: { type: 'string' },
          completions: { type: 'array', minItems: 1, items: { type: 'string' } },
          labels: { type: 'array', items: { type: 'boolean' } },
        },
      };
  }
}

export interface VariantSchema {
  readonly format: FormatId;
  readonly conversational: boolean;
  readonly schema: Schema;
}

export const VARIANT_SCHEMAS: readonly VariantSchema[] = FORMAT_IDS.flatMap((format) => {
  const shape = FORMATS[format].shape;
  const variants = shape === 'both' ? [false, true] : [shape === 'conversational'];
  return variants.map((conversational) => ({
    format,
    conversational,
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `ftstudio:${format}${conversational ? ':conversational' : ''}`,
      ...build(format, conversational),
    },
  }));
});

/** Keys an object at a JSON path may hold, for misspelling suggestions. */
export function allowedKeysAt(format: FormatId, conversational: boolean, path: readonly (string | number)[]): readonly string[] {
  if (path.length === 0) {
    const f = FORMATS[format];
    if (format === 'language-modeling') return [conversational ? 'messages' : 'text', 'tools'];
    return [...f.required, ...f.optional];
  }
  if ((format === 'sharegpt' || format === 'sharegpt-preference') && (path[0] === 'conversations' || path[0] === 'chosen' || path[0] === 'rejected'))
    return SHAREGPT_TURN_KEYS;
  if (format === 'openai-preference' && path.length === 1 && path[0] === 'input') return ['messages', 'tools', 'parallel_tool_calls'];
  return TURN_KEYS;
}
