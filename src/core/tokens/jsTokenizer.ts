/**
 * @huggingface/tokenizers (the JavaScript port of Hugging Face tokenizers), loaded from a tokenizer.json
 * and its tokenizer_config.json, with what it gets wrong mended: a word-level model gives `null` for an
 * unknown word where the Rust tokenizer gives the unknown token's id.
 */
export interface JsTokenizer {
  encode(text: string, o?: { add_special_tokens?: boolean }): { ids: number[] };
  token_to_id(t: string): number | undefined;
  id_to_token(id: number): string | undefined;
}

export async function loadJsTokenizer(tokenizerJson: Record<string, unknown>, config: Record<string, unknown>): Promise<JsTokenizer> {
  const { Tokenizer } = await import('@huggingface/tokenizers');
  const t = new Tokenizer(tokenizerJson, config) as unknown as JsTokenizer;
  const unk = (tokenizerJson.model as { unk_token?: unknown } | undefined)?.unk_token;
  const unkId = typeof unk === 'string' ? t.token_to_id(unk) : undefined;
  return {
    encode(text, o) {
      const ids = t.encode(text, o).ids;
      for (let i = 0; i < ids.length; i++) if (ids[i] === null || ids[i] === undefined) ids[i] = unkId ?? 0;
      return { ids };
    },
    token_to_id: (x) => t.token_to_id(x),
    id_to_token: (id) => t.id_to_token(id),
  };
}
