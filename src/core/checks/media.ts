/**
 * Multimodal records (LLaMA-Factory's `images` / `videos` / `audios` columns, TRL's vision datasets):
 * each entry of a media list stands for one placeholder in the text (`<image>`, `<video>`, `<audio>`)
 * or one typed part ({"type": "image"}); LLaMA-Factory refuses a record whose counts differ.
 */
import { lineDiag, type LineDiagnostic } from './diagnostic';
import { MEDIA_KEYS, type FormatId } from '../formats/formats';
import type { LineLocator } from './schemaCheck';

type Rec = Record<string, unknown>;

const PLACEHOLDER: Record<(typeof MEDIA_KEYS)[number], { tag: string; part: string }> = {
  images: { tag: '<image>', part: 'image' },
  videos: { tag: '<video>', part: 'video' },
  audios: { tag: '<audio>', part: 'audio' },
};

function countIn(text: string, tag: string): number {
  let n = 0;
  for (let i = text.indexOf(tag); i >= 0; i = text.indexOf(tag, i + tag.length)) n++;
  return n;
}

/** Placeholders of one kind in a value: tags in its strings, typed parts in its content lists. */
function count(v: unknown, tag: string, part: string): number {
  if (typeof v === 'string') return countIn(v, tag);
  if (Array.isArray(v)) {
    let n = 0;
    for (const x of v) n += count(x, tag, part);
    return n;
  }
  if (v && typeof v === 'object') {
    const o = v as Rec;
    if (o.type === part) return 1;
    let n = 0;
    for (const k of ['value', 'content', 'text']) if (k in o) n += count(o[k], tag, part);
    return n;
  }
  return 0;
}

/** The fields whose text may hold placeholders, per format. */
function textFields(format: FormatId): string[] {
  switch (format) {
    case 'alpaca':
      return ['instruction', 'input', 'output', 'history'];
    case 'sharegpt':
      return ['conversations'];
    case 'sharegpt-preference':
      return ['conversations', 'chosen', 'rejected'];
    case 'language-modeling':
      return ['messages'];
    default:
      return [];
  }
}

export function checkMedia(rec: Rec, format: FormatId, loc: LineLocator, out: LineDiagnostic[]): void {
  for (const key of MEDIA_KEYS) {
    const list = rec[key];
    if (!Array.isArray(list)) continue;
    const { tag, part } = PLACEHOLDER[key];
    // a preference record's chosen and rejected each stand after the same prompt: count the prompt and one answer
    const fields = textFields(format);
    let n = 0;
    for (const f of fields) if (f !== 'rejected') n += count(rec[f], tag, part);
    if (n !== list.length) {
      out.push(
        lineDiag(
          'media-count-mismatch',
          loc.range([key]),
          `"${key}" lists ${list.length} ${list.length === 1 ? 'file' : 'files'} but the text has ${n} ${tag} placeholder${n === 1 ? '' : 's'}: put one ${tag} where each belongs (LLaMA-Factory refuses the record otherwise).`,
        ),
      );
    }
  }
}
