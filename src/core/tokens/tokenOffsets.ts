/**
 * Character offsets of a text's tokens, which the JavaScript tokenizer does not report: each token's
 * surface bytes (byte-level BPE through the GPT-2 byte alphabet; SentencePiece's ▁ and <0xNN> byte
 * fallback; WordPiece's ##; added tokens as written) are matched along the text's UTF-8 bytes, then
 * turned into UTF-16 offsets the way the Rust tokenizers report them (a token that ends inside a
 * character covers it). A ByteLevel post-processor with trim_offsets trims the spaces at a token's ends,
 * as Rust does. Undefined when the tokens do not line up with the text (a normalizer that rewrites it).
 */

export type Offsets = Array<readonly [number, number]>;

let byteDecoder: Map<string, number> | undefined;
/** GPT-2's bytes_to_unicode, inverted: the character a byte-level token uses for each byte. */
function bytesOfChar(): Map<string, number> {
  if (byteDecoder) return byteDecoder;
  const bs: number[] = [];
  for (let b = 33; b <= 126; b++) bs.push(b);
  for (let b = 161; b <= 172; b++) bs.push(b);
  for (let b = 174; b <= 255; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  byteDecoder = new Map(bs.map((b, i) => [String.fromCharCode(cs[i]!), b]));
  return byteDecoder;
}

export type Scheme = 'byte-level' | 'sentencepiece' | 'wordpiece' | 'plain';

const enc = new TextEncoder();

function surface(token: string, scheme: Scheme): Uint8Array | undefined {
  if (scheme === 'byte-level') {
    const map = bytesOfChar();
    const out = new Uint8Array(token.length);
    for (let i = 0; i < token.length; i++) {
      const b = map.get(token[i]!);
      if (b === undefined) return enc.encode(token); // not a byte-level token: as written
      out[i] = b;
    }
    return out;
  }
  if (scheme === 'sentencepiece') {
    const m = /^<0x([0-9A-Fa-f]{2})>$/.exec(token);
    if (m) return Uint8Array.of(parseInt(m[1]!, 16));
    return enc.encode(token.replace(/▁/g, ' '));
  }
  if (scheme === 'wordpiece') return enc.encode(token.startsWith('##') ? token.slice(2) : token);
  return enc.encode(token);
}

function startsAt(text: Uint8Array, at: number, s: Uint8Array, from = 0): boolean {
  if (at + s.length - from > text.length) return false;
  for (let i = from; i < s.length; i++) if (text[at + i - from] !== s[i]) return false;
  return true;
}

export interface OffsetTokenizer {
  /** the token's string in the vocabulary (or an added token's content) */
  tokenOf(id: number): string | undefined;
  /** ids of added tokens (their surface is their content, whatever the scheme) */
  readonly added: ReadonlySet<number>;
  readonly scheme: Scheme;
  readonly trimOffsets: boolean;
}

export function tokenOffsets(text: string, ids: readonly number[], t: OffsetTokenizer): Offsets | undefined {
  const bytes = enc.encode(text);
  // UTF-16 index of the character each byte belongs to, and of the end of that character
  const charStart = new Uint32Array(bytes.length + 1);
  const charEnd = new Uint32Array(bytes.length + 1);
  for (let u = 0, b = 0; u < text.length;) {
    const cp = text.codePointAt(u)!;
    const units = cp > 0xffff ? 2 : 1;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    for (let k = 0; k < n; k++) {
      charStart[b + k] = u;
      charEnd[b + k] = u + units;
    }
    b += n;
    u += units;
  }
  charStart[bytes.length] = text.length;
  const out: Offsets = [];
  let at = 0;
  for (const id of ids) {
    const token = t.tokenOf(id);
    if (token === undefined) return undefined;
    const s = t.added.has(id) ? enc.encode(token) : surface(token, t.scheme);
    if (!s) return undefined;
    let from = 0;
    if (!startsAt(bytes, at, s)) {
      if (s[0] === 0x20 && startsAt(bytes, at, s, 1))
        from = 1; // a space the tokenizer prepended
      else {
        let skip = at;
        while (skip < bytes.length && (bytes[skip] === 0x20 || bytes[skip] === 0x09 || bytes[skip] === 0x0a || bytes[skip] === 0x0d)) skip++;
        if (skip === at || !startsAt(bytes, skip, s)) return undefined;
        at = skip; // whitespace the pre-tokenizer dropped (WordPiece)
      }
    }
    const len = s.length - from;
    let a = at,
      e = at + len;
    if (t.trimOffsets && !t.added.has(id) && len > 0) {
      // Rust's ByteLevel process_offsets: spaces at either end are not part of the token's offsets
      let lead = 0,
        trail = 0;
      while (lead < len && bytes[a + lead] === 0x20) lead++;
      while (trail < len && bytes[e - 1 - trail] === 0x20) trail++;
      if (lead) a = Math.min(a + lead, e);
      if (trail) e = Math.max(e - trail, a);
    }
    out.push(e > a ? [charStart[a]!, charEnd[e - 1]!] : [charStart[a]!, charStart[a]!]);
    at += len;
  }
  return out;
}

/** Trained tokens: those overlapping a span, and a special token starting exactly where a span ends (chat.py's spans_to_mask). */
export function spansToMask(offsets: Offsets, special: readonly boolean[], spans: ReadonlyArray<readonly [number, number]>): boolean[] {
  const mask = new Array<boolean>(offsets.length).fill(false);
  let j = 0;
  for (let k = 0; k < offsets.length; k++) {
    const [s, e] = offsets[k]!;
    while (j < spans.length && spans[j]![1] < s) j++;
    for (const [a, b] of spans.slice(j, j + 2)) {
      if ((s < b && e > a && e > s) || (special[k] && s === b)) mask[k] = true;
    }
  }
  return mask;
}

/** transformers' assistant mask from `{% generation %}` spans: tokens from the one holding a span's first character to the one holding its last. */
export function generationMask(offsets: Offsets, spans: ReadonlyArray<readonly [number, number]>): boolean[] {
  const mask = new Array<boolean>(offsets.length).fill(false);
  const tokenAt = (c: number) => {
    for (let k = 0; k < offsets.length; k++) if (offsets[k]![0] <= c && c < offsets[k]![1]) return k;
    return -1;
  };
  for (const [a, b] of spans) {
    if (b <= a) continue;
    const first = tokenAt(a);
    if (first < 0) break;
    const last = tokenAt(b - 1);
    for (let k = first; k < (last > 0 ? last + 1 : offsets.length); k++) mask[k] = true; // transformers: `end_token + 1 if end_token else len`
  }
  return mask;
}
