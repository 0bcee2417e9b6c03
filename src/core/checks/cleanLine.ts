/**
 * The fast path of file validation: one pass over a line's UTF-8 bytes that proves the line is a
 * clean record of a format it knows and works out the facts analyzeLine would (UTF-16 length, format
 * variant, content hash, template), without building the line's string or any object of it.
 *
 * It only ever says "clean, and here are the facts" or "not sure" (undefined). Any defect, and anything
 * it does not handle (an unknown format, tools, numbers with a fraction, a key with an escape, a lone
 * surrogate …), is "not sure": the line then goes through analyzeLine, which finds and words the
 * diagnostics. So it never decides a diagnostic; a differential test holds its facts to analyzeLine's.
 * The bytes must be valid UTF-8 (the caller checks each chunk once).
 */
import { LineFacts, NO_DIAGS, type AnalyzeOptions, type TemplateFact } from './analyzeLine';
import { PROBE, SIGNATURE_SPAN, signatureScan, SYSTEM_MARK, templateProbe, templateSignature } from './template';
import { planOf } from './recordChecks';
import { checkContentParts, checkToolsDefinition, toolNames } from './toolCalls';
import { LineLocator } from './schemaCheck';
import type { LineDiagnostic } from './diagnostic';
import { detectFormat, FORMAT_KEYS, variantKey, type Detected } from '../formats/formats';
import { HIDDEN, type TurnTags } from '../formats/llamaFactory';
import { EVAL_DETECT_KEYS } from '../formats/evalSets';
import {
  CLASS_CONTROL,
  CLS,
  feedTag,
  hashResult,
  hs,
  HASH_SEED_A,
  HASH_SEED_B,
  memberMix,
  objectEnd,
  SEED_A,
  SEED_B,
  strBegin,
  strByte,
  strEnd,
  strRun,
  strScan,
  strWhole,
} from '../records/identity';

// top-level keys the scan understands; the other keys of FORMAT_KEYS (tools, history, OpenAI's) make it give up
const TOP = [
  'text',
  'messages',
  'prompt',
  'completion',
  'chosen',
  'rejected',
  'label',
  'instruction',
  'input',
  'output',
  'system',
  'conversations',
  'tools',
  'parallel_tool_calls',
  'completions',
  'labels',
] as const;
type TopKey = (typeof TOP)[number];
const K = Object.fromEntries(TOP.map((k, i) => [k, i])) as Record<TopKey, number>;
const UNKNOWN = -1; // not a format key: metadata, kept and hashed
const GIVE_UP = -2;

const TURN_KEYS = ['role', 'content', 'from', 'value', 'tool_calls', 'tool_call_id', 'name'] as const;
const ROLE = 0,
  CONTENT = 1,
  FROM = 2,
  VALUE = 3,
  TOOL_CALLS = 4,
  TOOL_CALL_ID = 5,
  NAME = 6;
// roles as the checks see them, and the raw names each list accepts
const SYSTEM = 0,
  USER = 1,
  ASSISTANT = 2,
  TOOL = 3;
const CHAT_ROLES: readonly [string, number][] = [
  ['system', SYSTEM],
  ['developer', SYSTEM],
  ['user', USER],
  ['assistant', ASSISTANT],
  ['tool', TOOL],
];
const SHAREGPT_ROLES: readonly [string, number][] = [
  ['human', USER],
  ['user', USER],
  ['gpt', ASSISTANT],
  ['assistant', ASSISTANT],
  ['system', SYSTEM],
  ['function_call', ASSISTANT],
  ['observation', TOOL],
  ['tool', TOOL],
];
/** raw role names that firstTurnText takes as the first user turn */
const LEAD_USER = new Set(['user', 'human']);

interface Name {
  readonly bytes: Buffer;
  readonly id: number;
  readonly text: string;
  /** UTF-16 units less UTF-8 bytes of the name as written in the file */
  readonly delta: number;
  /** the hash registers the name was last hashed from, and what that gave (scanNamed's memo; none before its first hash) */
  memo: boolean;
  inA: number;
  inB: number;
  outA: number;
  outB: number;
}
/**
 * Names by byte length, for matching a key or role without decoding it (matchName); and by first byte,
 * for finding one before its string is scanned (scanNamed: only names that appear as they are in a JSON
 * string, without a quote, backslash or control character). `text` is the name the checks see (a
 * registry's role name read as ours).
 */
interface NameTable {
  readonly byLength: Name[][];
  readonly byFirst: Name[][];
}
function namesByLength(names: readonly (readonly [string, number, string?])[]): NameTable {
  const byLength: Name[][] = [];
  const byFirst: Name[][] = [];
  for (const [name, id, text] of names) {
    const bytes = Buffer.from(name);
    const n: Name = { bytes, id, text: text ?? name, delta: name.length - bytes.length, memo: false, inA: 0, inB: 0, outA: 0, outB: 0 };
    (byLength[bytes.length] ??= []).push(n);
    if (bytes.length > 0 && !bytes.some((b) => b === 34 || b === 92 || b < 0x20)) (byFirst[bytes[0]!] ??= []).push(n);
  }
  return { byLength, byFirst };
}
// golden and safety items (EVAL_DETECT_KEYS) are left to analyzeLine
const TOP_ENTRIES: readonly (readonly [string, number])[] = [
  ...TOP.map((k, i) => [k, i] as const),
  ...[...FORMAT_KEYS, ...EVAL_DETECT_KEYS].filter((k) => !(TOP as readonly string[]).includes(k)).map((k) => [k, GIVE_UP] as const),
];
const TOP_NAMES = namesByLength(TOP_ENTRIES);
const TURN_NAMES = namesByLength(TURN_KEYS.map((k, i) => [k, i] as const));
const CHAT_ROLE_NAMES = namesByLength(CHAT_ROLES);
const SHAREGPT_ROLE_NAMES = namesByLength(SHAREGPT_ROLES);

// the tables the line is read with: ours, or a registry's (dataset_info.json columns and tags)
let topNames = TOP_NAMES,
  turnNames = TURN_NAMES,
  shareRoleNames = SHAREGPT_ROLE_NAMES;
type Tables = readonly [NameTable, NameTable, NameTable];
const TABLES = new WeakMap<object, Tables | null>();

/**
 * The name tables for a registry's renaming, as analyzeLine reads the record (renameKeys, retagTurns):
 * the file's key for each column, our own names where no column renames them; a name both kept and
 * renamed onto is ambiguous (not sure). Null when the tags clash with chat keys.
 */
function tablesFor(keyMap: Readonly<Record<string, string>> | undefined, tags: TurnTags | undefined): Tables | null {
  let top = TOP_NAMES;
  if (keyMap) {
    const idOf = (name: string) => TOP_ENTRIES.find(([k]) => k === name)?.[1] ?? UNKNOWN;
    const targets = new Set(Object.values(keyMap));
    const entries: [string, number][] = Object.entries(keyMap).map(([file, ours]) => [file, ours === HIDDEN ? UNKNOWN : idOf(ours)]);
    for (const [k, id] of TOP_ENTRIES) if (!Object.prototype.hasOwnProperty.call(keyMap, k)) entries.push([k, targets.has(k) ? GIVE_UP : id]);
    top = namesByLength(entries);
  }
  let turns = TURN_NAMES,
    roles = SHAREGPT_ROLE_NAMES;
  if (tags) {
    const chatKeys = TURN_KEYS.filter((k) => k !== 'from' && k !== 'value') as string[];
    if (tags.role === tags.content || chatKeys.includes(tags.role) || chatKeys.includes(tags.content)) return null;
    turns = namesByLength(TURN_KEYS.map((k, i) => [i === FROM ? tags.role : i === VALUE ? tags.content : k, i] as const));
    const byName = new Map<string, [number, string]>(SHAREGPT_ROLES.map(([k, id]) => [k, [id, k]]));
    for (const [theirs, ours] of Object.entries(tags.roles)) {
      const id = SHAREGPT_ROLES.find(([k]) => k === ours)?.[1];
      if (id !== undefined) byName.set(theirs, [id, ours]);
    }
    roles = namesByLength([...byName].map(([name, [id, text]]) => [name, id, text] as const));
  }
  return [top, turns, roles];
}

let lastOpts: AnalyzeOptions | undefined;
/** Sets the tables for these options; false when the line cannot be scanned under them. */
function useTables(opts: AnalyzeOptions): boolean {
  if (opts === lastOpts) return true;
  if (opts.keyMap === undefined && opts.turnTags === undefined) {
    topNames = TOP_NAMES;
    turnNames = TURN_NAMES;
    shareRoleNames = SHAREGPT_ROLE_NAMES;
  } else {
    let t = TABLES.get(opts);
    if (t === undefined) TABLES.set(opts, (t = tablesFor(opts.keyMap, opts.turnTags)));
    if (t === null) return false;
    [topNames, turnNames, shareRoleNames] = t;
  }
  lastOpts = opts;
  return true;
}

// the line being scanned
let B: Buffer = Buffer.alloc(0);
let E = 0;
/** UTF-16 units minus bytes, summed over the line's strings (only strings hold non-ASCII) */
let lenDelta = 0;
let depth = 0;
// the string scanString read last: its raw content range, whether it had escapes
let strS = 0,
  strE = 0,
  strEsc = false,
  strDelta = 0;
// the name matched last (matchName)
let matched: Name | undefined;

function ws(i: number): number {
  while (i < E) {
    const c = B[i]!;
    if (c !== 32 && c !== 9 && c !== 13) break;
    i++;
  }
  return i;
}

const at = (i: number): number => (i < E ? B[i]! : -1);

function hex4(i: number): number {
  if (i + 4 > E) return -1;
  let v = 0;
  for (let k = i; k < i + 4; k++) {
    const c = B[k]!;
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = (v << 4) | d;
  }
  return v;
}

function feedCodePoint(cp: number): void {
  if (cp < 0x80) strByte(cp);
  else if (cp < 0x800) {
    strByte(0xc0 | (cp >> 6));
    strByte(0x80 | (cp & 63));
  } else if (cp < 0x10000) {
    strByte(0xe0 | (cp >> 12));
    strByte(0x80 | ((cp >> 6) & 63));
    strByte(0x80 | (cp & 63));
  } else {
    strByte(0xf0 | (cp >> 18));
    strByte(0x80 | ((cp >> 12) & 63));
    strByte(0x80 | ((cp >> 6) & 63));
    strByte(0x80 | (cp & 63));
  }
}

/** A string at i (its opening quote): hashed into hs (no tag), its range left in strS/strE. Returns the index after it, or -1. */
function scanString(i: number): number {
  let s = i + 1;
  strS = s;
  strEsc = false;
  strDelta = lenDelta;
  // most strings have no escape: begun, hashed and ended in one call
  let bs = strWhole(B, s, E);
  lenDelta += hs.units - (bs - s);
  let cls = hs.cls;
  if (bs >= E) return -1;
  if (B[bs] === 34) {
    strE = bs;
    return cls & CLASS_CONTROL ? -1 : bs + 1;
  }
  for (;;) {
    // an escape at bs; then hashed up to the closing quote or the next escape
    strEsc = true;
    let next = bs + 2;
    switch (B[bs + 1]) {
      case 34:
        strByte(34);
        break;
      case 92:
        strByte(92);
        break;
      case 47:
        strByte(47);
        break;
      case 98:
        strByte(8);
        break;
      case 102:
        strByte(12);
        break;
      case 110:
        strByte(10);
        break;
      case 114:
        strByte(13);
        break;
      case 116:
        strByte(9);
        break;
      case 117: {
        let cp = hex4(bs + 2);
        if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff)) return -1;
        next = bs + 6;
        if (cp >= 0xd800 && cp <= 0xdbff) {
          // a surrogate pair; a lone one is left to the slow path (UTF-8 has no byte for it)
          const lo = B[next] === 92 && B[next + 1] === 117 ? hex4(next + 2) : -1;
          if (lo < 0xdc00 || lo > 0xdfff) return -1;
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          next += 6;
        }
        feedCodePoint(cp);
        break;
      }
      default:
        return -1;
    }
    s = next;
    bs = strScan(B, s, E);
    lenDelta += hs.units - (bs - s);
    cls |= hs.cls;
    if (bs >= E) return -1;
    if (B[bs] === 34) {
      strE = bs;
      break;
    }
  }
  if (cls & CLASS_CONTROL) return -1;
  strEnd();
  return strE + 1;
}

/** The string just scanned, decoded (only for the few strings whose text is needed). */
function decodeLast(S: number, E2: number, esc: boolean): string {
  return esc ? (JSON.parse(B.toString('utf8', S - 1, E2 + 1)) as string) : B.toString('utf8', S, E2);
}

/**
 * Whether the string just scanned is empty or whitespace only, exactly as trim() says: a printable
 * ASCII character settles it (usually the first), and so does the lead byte of a character that no
 * white space trim() removes begins with (those begin C2, E1, E2, E3 or EF in UTF-8: U+00A0, U+1680,
 * U+2000-U+205F, U+3000, U+FEFF); anything else is decoded and trimmed.
 */
function lastIsBlank(): boolean {
  for (let i = strS; i < strE; i++) {
    const c = B[i]!;
    if (c > 32 && c < 128 && c !== 92) return false;
    if (c >= 0xc3 && c !== 0xe1 && c !== 0xe2 && c !== 0xe3 && c !== 0xef) return false;
    if (c !== 32) break;
  }
  return decodeLast(strS, strE, strEsc).trim() === '';
}

function matchName(table: NameTable): boolean {
  matched = undefined;
  // Stryker disable next-line ConditionalExpression: equivalent: a string with an escape holds a backslash, which no name's bytes do, so the byte comparison below fails as well
  if (strEsc) return false;
  const cands = table.byLength[strE - strS];
  if (!cands) return false;
  for (const c of cands) {
    let k = 0;
    while (k < c.bytes.length && B[strS + k] === c.bytes[k]) k++;
    if (k === c.bytes.length) {
      matched = c;
      return true;
    }
  }
  return false;
}

/**
 * scanString and matchName in one (`matched` says which name, undefined for none). Most keys and roles
 * are one of a few names: when the bytes at i are a name and its closing quote, the string is not fed
 * through the hash again; its hash comes from the name's memo when the registers are the ones it was
 * last hashed from (a key is hashed from the seeds, a role from the seeds and its tag, so almost always).
 */
function scanNamed(i: number, table: NameTable): number {
  const cands = i + 1 < E ? table.byFirst[B[i + 1]!] : undefined;
  if (cands !== undefined) {
    for (const c of cands) {
      const bytes = c.bytes;
      const e = i + 1 + bytes.length;
      if (e >= E || B[e] !== 34) continue;
      let k = 1;
      while (k < bytes.length && B[i + 1 + k] === bytes[k]) k++;
      if (k < bytes.length) continue;
      if (hs.a === c.inA && hs.b === c.inB && c.memo) {
        strS = i + 1;
        strE = e;
        strEsc = false;
        strDelta = lenDelta;
        lenDelta += c.delta;
        hs.a = c.outA;
        hs.b = c.outB;
      } else {
        c.memo = true;
        c.inA = hs.a;
        c.inB = hs.b;
        scanString(i);
        c.outA = hs.a;
        c.outB = hs.b;
      }
      matched = c;
      return e + 1;
    }
  }
  const j = scanString(i);
  if (j < 0) matched = undefined;
  else matchName(table);
  return j;
}

/** A canonical integer (String(n) gives the same digits back): hashed as analyzeLine's walk does. */
function scanNumber(i: number): number {
  let j = i;
  if (B[j] === 45) j++;
  const d0 = j;
  if (at(j) === 48) j++;
  else while (j < E && B[j]! >= 48 && B[j]! <= 57) j++;
  if (j === d0 || j - d0 > 15 || (d0 > i && B[d0] === 48)) return -1;
  const c = at(j);
  if (c === 46 || c === 101 || c === 69 || (c >= 48 && c <= 57)) return -1;
  feedTag(2);
  strBegin();
  strRun(B, i, j);
  strEnd();
  return j;
}

function literal(i: number, word: string, tag: number): number {
  if (i + word.length > E) return -1;
  for (let k = 0; k < word.length; k++) if (B[i + k] !== word.charCodeAt(k)) return -1;
  feedTag(tag);
  return i + word.length;
}

/** Any JSON value, hashed with its tag. */
function scanValue(i: number): number {
  switch (at(i)) {
    case 34:
      feedTag(1);
      return scanString(i);
    case 123:
      return scanObject(i);
    case 91: {
      if (++depth > 32) return -1;
      feedTag(6);
      i = ws(i + 1);
      if (at(i) !== 93) {
        for (;;) {
          i = scanValue(i);
          if (i < 0) return -1;
          i = ws(i);
          const c = at(i);
          if (c === 93) break;
          if (c !== 44) return -1;
          i = ws(i + 1);
        }
      }
      feedTag(7);
      depth--;
      return i + 1;
    }
    case 116:
      return literal(i, 'true', 3);
    case 102:
      return literal(i, 'false', 4);
    case 110:
      return literal(i, 'null', 5);
    default: {
      const c = at(i);
      return c === 45 || (c >= 48 && c <= 57) ? scanNumber(i) : -1;
    }
  }
}

/**
 * The last `tools` value seen, as bytes, with its hash and its UTF-16 surplus: a file's records usually
 * share one list byte for byte. A list (or string) is self-delimiting, so bytes at i equal to a whole
 * earlier value are that same whole value, and it need not be walked again.
 */
let toolsMemo: { readonly bytes: Buffer; readonly a: number; readonly b: number; readonly delta: number } | undefined;

/** scanValue for a tools value (a list, or a string of JSON), from the memo when it is the last one again. */
function scanToolsValue(i: number): number {
  const m = toolsMemo;
  if (m !== undefined) {
    const n = m.bytes.length;
    if (i + n <= E && B.compare(m.bytes, 0, n, i, i + n) === 0) {
      hs.a = m.a;
      hs.b = m.b;
      lenDelta += m.delta;
      return i + n;
    }
  }
  const d0 = lenDelta;
  const j = scanValue(i);
  // copied: the line's buffer is reused for the next chunk
  if (j >= 0) toolsMemo = { bytes: Buffer.from(B.subarray(i, j)), a: hs.a, b: hs.b, delta: lenDelta - d0 };
  return j;
}

/** Any object (metadata), its members summed as contentHash sums them. A repeated key gives up. */
function scanObject(i: number): number {
  if (++depth > 32) return -1;
  const outerA = hs.a,
    outerB = hs.b;
  let sumA = 0,
    sumB = 0,
    members = 0;
  const keys: number[] = [];
  i = ws(i + 1);
  if (at(i) !== 125) {
    for (;;) {
      if (at(i) !== 34) return -1;
      hs.a = SEED_A;
      hs.b = SEED_B;
      i = scanString(i);
      if (i < 0) return -1;
      const ka = hs.a,
        kb = hs.b;
      for (let k = 0; k < keys.length; k += 2) if (keys[k] === ka && keys[k + 1] === kb) return -1;
      keys.push(ka, kb);
      i = ws(i);
      if (at(i) !== 58) return -1;
      hs.a = SEED_A;
      hs.b = SEED_B;
      i = scanValue(ws(i + 1));
      if (i < 0) return -1;
      memberMix(ka, kb, hs.a, hs.b);
      sumA = (sumA + hs.a) | 0;
      sumB = (sumB + hs.b) | 0;
      members++;
      i = ws(i);
      const c = at(i);
      if (c === 125) break;
      if (c !== 44) return -1;
      i = ws(i + 1);
    }
  }
  objectEnd(outerA, outerB, members, sumA, sumB);
  depth--;
  return i + 1;
}

// what a list of turns is for (checkTurns' kinds)
const CONVERSATION = 0,
  PROMPT = 1,
  COMPLETION = 2,
  RESPONSE = 3,
  EITHER_KIND = 4;

// the lead text a list of turns offers (firstTurnText): its first system turn, else its first user turn
let leadS = -1,
  leadE = -1,
  leadEsc = false,
  leadSys = false,
  leadD = 0;

/**
 * A list of {role, content} turns (ShareGPT: {from, value}) that checkTurns would pass without a word:
 * known roles, non-blank text content, a system turn only first, no role twice in a row but tool, an
 * assistant turn where one is needed, responses all assistant, a prompt that does not end with one.
 */
/** Nowhere to place a range: the scan only asks the tool checks whether they would say anything. */
const NO_PLACE = new LineLocator('');
const toolWords: LineDiagnostic[] = [];
// the line's tool calls: the ids its calls made so far, whether they carry ids (OpenAI's shape), the names called (checked against tools at the end)
const callIds: string[] = [];
let withIds = false;
const calledNames: string[] = [];

const CALL_NAMES = namesByLength([
  ['id', 0],
  ['type', 1],
  ['function', 2],
]);
const FN_NAMES = namesByLength([
  ['name', 0],
  ['arguments', 1],
]);
const FUNCTION_BYTES = Buffer.from('function');
// set by scanFunction: its arguments were an object (TRL's shape)
let argsObject = false;

/**
 * A value that is a string of JSON holding an object: what checkArguments passes. Decoded twice, as
 * OpenAI reads it (small strings: the calls' arguments).
 */
function lastHoldsObject(): boolean {
  let v: unknown;
  try {
    v = JSON.parse(decodeLast(strS, strE, strEsc));
  } catch {
    return false;
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A call's "function": {"name": non-blank string, "arguments"?: a JSON string of an object, or the object}, hashed as scanObject would. */
function scanFunction(i: number): number {
  if (++depth > 32) return -1;
  const outerA = hs.a,
    outerB = hs.b;
  let sumA = 0,
    sumB = 0,
    members = 0,
    seen = 0;
  argsObject = false;
  i = ws(i + 1);
  for (;;) {
    if (at(i) !== 34) return -1;
    hs.a = SEED_A;
    hs.b = SEED_B;
    i = scanNamed(i, FN_NAMES);
    if (i < 0 || matched === undefined) return -1;
    const key = matched!.id;
    if (seen & (1 << key)) return -1;
    seen |= 1 << key;
    const ka = hs.a,
      kb = hs.b;
    i = ws(i);
    if (at(i) !== 58) return -1;
    i = ws(i + 1);
    hs.a = SEED_A;
    hs.b = SEED_B;
    if (key === 1 && at(i) === 123) {
      i = scanObject(i);
      argsObject = true;
    } else {
      if (at(i) !== 34) return -1;
      feedTag(1);
      i = scanString(i);
      if (i < 0) return -1;
      if (key === 0) {
        if (lastIsBlank()) return -1;
        calledNames.push(decodeLast(strS, strE, strEsc));
      } else if (!lastHoldsObject()) return -1;
    }
    if (i < 0) return -1;
    memberMix(ka, kb, hs.a, hs.b);
    sumA = (sumA + hs.a) | 0;
    sumB = (sumB + hs.b) | 0;
    members++;
    i = ws(i);
    const c = at(i);
    if (c === 125) break;
    if (c !== 44) return -1;
    i = ws(i + 1);
  }
  if (!(seen & 1)) return -1; // tool-call-no-name
  objectEnd(outerA, outerB, members, sumA, sumB);
  depth--;
  return i + 1;
}

/**
 * A turn's "tool_calls" list that checkToolCalls passes without a word, hashed as scanValue would: each
 * call {"id"?: string, "type"?: "function", "function": {...}}; arguments as an object only without an id
 * (TRL's shape; OpenAI's, with ids, reads them as a string). Any other shape: not sure.
 */
function scanCalls(i: number): number {
  if (++depth > 32) return -1;
  feedTag(6);
  i = ws(i + 1);
  if (at(i) === 93) return -1; // no calls: left to the slow path
  for (;;) {
    if (at(i) !== 123) return -1;
    const outerA = hs.a,
      outerB = hs.b;
    let sumA = 0,
      sumB = 0,
      members = 0,
      seen = 0,
      objectArgs = false;
    i = ws(i + 1);
    for (;;) {
      if (at(i) !== 34) return -1;
      hs.a = SEED_A;
      hs.b = SEED_B;
      i = scanNamed(i, CALL_NAMES);
      if (i < 0 || matched === undefined) return -1;
      const key = matched!.id;
      if (seen & (1 << key)) return -1;
      seen |= 1 << key;
      const ka = hs.a,
        kb = hs.b;
      i = ws(i);
      if (at(i) !== 58) return -1;
      i = ws(i + 1);
      hs.a = SEED_A;
      hs.b = SEED_B;
      if (key === 2) {
        if (at(i) !== 123) return -1;
        i = scanFunction(i);
        objectArgs = argsObject;
      } else {
        if (at(i) !== 34) return -1;
        feedTag(1);
        i = scanString(i);
        if (i < 0) return -1;
        if (key === 0) callIds.push(decodeLast(strS, strE, strEsc));
        else if (strEsc || strE - strS !== 8 || B.compare(FUNCTION_BYTES, 0, 8, strS, strE) !== 0) return -1; // tool-call-wrong-type
      }
      if (i < 0) return -1;
      memberMix(ka, kb, hs.a, hs.b);
      sumA = (sumA + hs.a) | 0;
      sumB = (sumB + hs.b) | 0;
      members++;
      i = ws(i);
      const c = at(i);
      if (c === 125) break;
      if (c !== 44) return -1;
      i = ws(i + 1);
    }
    if (!(seen & 4)) return -1; // no function
    if (seen & 1) {
      if (objectArgs) return -1; // arguments-not-string
      withIds = true;
    }
    objectEnd(outerA, outerB, members, sumA, sumB);
    i = ws(i + 1);
    const c = at(i);
    if (c === 93) break;
    if (c !== 44) return -1;
    i = ws(i + 1);
  }
  feedTag(7);
  depth--;
  return i + 1;
}

/**
 * A turn's content parts, decoded and put to checkContentParts itself (the slow path's rules, not a
 * copy): false when it or the schema would say anything (a part that is no object or has no string
 * type), or when every part is blank text (empty-content).
 */
function partsClean(roleName: string, s: number, e: number): boolean {
  const parts: unknown = JSON.parse(B.toString('utf8', s, e));
  if (!Array.isArray(parts) || parts.length === 0) return false;
  let solid = false;
  for (const p of parts) {
    if (!p || typeof p !== 'object' || Array.isArray(p)) return false;
    const part = p as Record<string, unknown>;
    if (typeof part.type !== 'string') return false;
    if (part.type !== 'text' || typeof part.text !== 'string' || part.text.trim() !== '') solid = true;
  }
  if (!solid) return false;
  toolWords.length = 0;
  checkContentParts(parts, roleName, [], NO_PLACE, toolWords);
  return toolWords.length === 0;
}

/** What the last list of turns held: an assistant turn, a user turn, its last role (checked once the format is known). */
let turnsSawAssistant = false,
  turnsSawUser = false,
  turnsLast = -1;

/**
 * `single`: one turn object, not a list (LLaMA-Factory's ShareGPT chosen / rejected). Kind EITHER
 * (ShareGPT's conversations: a conversation, or a ranking set's prompt) leaves the end checks to the
 * caller, through turnsSawAssistant, turnsSawUser and turnsLast.
 */
function scanTurns(i: number, kind: number, sharegpt: boolean, tools = false, single = false): number {
  const roleNames = sharegpt ? shareRoleNames : CHAT_ROLE_NAMES;
  const roleKey = sharegpt ? FROM : ROLE;
  const contentKey = sharegpt ? VALUE : CONTENT;
  let sysS = -1,
    sysE = -1,
    sysEsc = false,
    sysD = 0,
    userS = -1,
    userE = -1,
    userEsc = false,
    userD = 0;
  let prev = -1,
    sawAssistant = false,
    sawUser = false,
    n = 0,
    end = -1;
  if (!single) {
    feedTag(6);
    i = ws(i + 1);
    if (at(i) === 93) return -1; // no turns: the schema's minItems
  }
  for (;;) {
    if (at(i) !== 123) return -1;
    const outerA = hs.a,
      outerB = hs.b;
    let sumA = 0,
      sumB = 0,
      members = 0;
    let role = -1,
      roleName = '',
      cS = -1,
      cE = -1,
      cEsc = false,
      cD = 0;
    // tool calling (messages only): content may be null or blank beside tool calls
    let contentSeen = false,
      calls = false,
      callId: string | undefined,
      idSeen = false,
      nameSeen = false,
      partsS = -1,
      partsE = -1;
    i = ws(i + 1);
    for (;;) {
      if (at(i) !== 34) return -1;
      hs.a = SEED_A;
      hs.b = SEED_B;
      i = scanNamed(i, turnNames);
      if (i < 0 || matched === undefined) return -1;
      const key = matched!.id;
      if (key !== roleKey && key !== contentKey && !(tools && (key === TOOL_CALLS || key === TOOL_CALL_ID || key === NAME))) return -1;
      const ka = hs.a,
        kb = hs.b;
      i = ws(i);
      if (at(i) !== 58) return -1;
      i = ws(i + 1);
      hs.a = SEED_A;
      hs.b = SEED_B;
      if (key === TOOL_CALLS) {
        if (calls || at(i) !== 91) return -1;
        calls = true;
        i = scanCalls(i);
        if (i < 0) return -1;
      } else if (key === CONTENT && at(i) === 91) {
        // typed content parts (chat turns only: ShareGPT's value is text)
        if (contentSeen) return -1;
        contentSeen = true;
        partsS = i;
        i = scanValue(i);
        if (i < 0) return -1;
        partsE = i;
      } else if (key === contentKey && tools && at(i) === 110) {
        if (contentSeen) return -1;
        contentSeen = true;
        i = literal(i, 'null', 5);
        if (i < 0) return -1;
      } else {
        if (at(i) !== 34) return -1;
        feedTag(1);
        i = key === roleKey ? scanNamed(i, roleNames) : scanString(i);
        if (i < 0) return -1;
        if (key === roleKey) {
          if (role >= 0 || matched === undefined) return -1;
          role = matched!.id;
          roleName = matched!.text;
        } else if (key === NAME) {
          // TRL's tool results name the function they answer
          if (nameSeen) return -1;
          nameSeen = true;
        } else if (key === TOOL_CALL_ID) {
          if (idSeen) return -1;
          idSeen = true;
          callId = decodeLast(strS, strE, strEsc);
        } else {
          if (contentSeen) return -1;
          contentSeen = true;
          if (lastIsBlank()) {
            if (!tools) return -1;
          } else {
            cS = strS;
            cE = strE;
            cEsc = strEsc;
            cD = strDelta;
          }
        }
      }
      memberMix(ka, kb, hs.a, hs.b);
      sumA = (sumA + hs.a) | 0;
      sumB = (sumB + hs.b) | 0;
      members++;
      i = ws(i);
      const c = at(i);
      if (c === 125) break;
      if (c !== 44) return -1;
      i = ws(i + 1);
    }
    if (role < 0) return -1;
    // a tool result answers a call made before it (by id, when the calls carry ids)
    if (role === TOOL && (callId === undefined ? withIds : !callIds.includes(callId))) return -1;
    // no text: allowed beside tool calls only, and never in a turn a template's lead text may come from
    if (partsS >= 0 && !partsClean(roleName, partsS, partsE)) return -1;
    if (cS < 0 && partsS < 0 && (!calls || role === SYSTEM || role === USER)) return -1;
    objectEnd(outerA, outerB, members, sumA, sumB);
    if (kind === RESPONSE) {
      if (role !== ASSISTANT) return -1;
    } else if ((role === SYSTEM && n > 0) || (role === prev && role !== TOOL)) {
      return -1;
    }
    if (role === ASSISTANT) sawAssistant = true;
    if (role === USER) sawUser = true;
    if (role === SYSTEM && sysS < 0) {
      sysS = cS;
      sysE = cE;
      sysEsc = cEsc;
      sysD = cD;
    } else if (userS < 0 && LEAD_USER.has(roleName)) {
      userS = cS;
      userE = cE;
      userEsc = cEsc;
      userD = cD;
    }
    prev = role;
    n++;
    if (single) {
      end = i + 1;
      break;
    }
    i = ws(i + 1);
    const c = at(i);
    if (c === 93) break;
    if (c !== 44) return -1;
    i = ws(i + 1);
  }
  if (!single) {
    feedTag(7);
    end = i + 1;
  }
  turnsSawAssistant = sawAssistant;
  turnsSawUser = sawUser;
  turnsLast = prev;
  if ((kind === CONVERSATION || kind === COMPLETION) && !sawAssistant) return -1;
  if (kind === CONVERSATION && !sawUser) return -1; // no-user-turn
  if (kind === PROMPT && prev === ASSISTANT) return -1;
  if (sysS >= 0) {
    leadS = sysS;
    leadE = sysE;
    leadEsc = sysEsc;
    leadSys = true;
    leadD = sysD;
  } else {
    leadS = userS;
    leadE = userE;
    leadEsc = userEsc;
    leadSys = false;
    leadD = userD;
  }
  return end;
}

// per top-level key of the line: what its value was
const NONE = 0,
  STR = 1,
  LIST = 2,
  TRUE = 3,
  FALSE = 4,
  OBJ = 5;
const kindOf = new Uint8Array(TOP.length);
const solid = new Uint8Array(TOP.length);
const valA = new Int32Array(TOP.length);
const valB = new Int32Array(TOP.length);
// each key's lead text: a string value's own range, or what its list of turns offers
const lS = new Int32Array(TOP.length);
const lE = new Int32Array(TOP.length);
const lEsc = new Uint8Array(TOP.length);
const lSys = new Uint8Array(TOP.length);
/** UTF-16 units minus bytes of the line before each lead text (lenDelta where it begins) */
const lD = new Int32Array(TOP.length);

function listKind(key: number): number {
  if (key === K.conversations) return EITHER_KIND;
  return key === K.prompt ? PROMPT : key === K.completion ? COMPLETION : key === K.chosen || key === K.rejected ? RESPONSE : CONVERSATION;
}

/** A list of strings, none blank (TRL's stepwise completions); their number left in listCount. */
let listCount = 0;
function scanSteps(i: number): number {
  if (++depth > 32) return -1;
  feedTag(6);
  listCount = 0;
  i = ws(i + 1);
  if (at(i) === 93) return -1; // minItems
  for (;;) {
    if (at(i) !== 34) return -1;
    feedTag(1);
    i = scanString(i);
    if (i < 0 || lastIsBlank()) return -1;
    listCount++;
    i = ws(i);
    const c = at(i);
    if (c === 93) break;
    if (c !== 44) return -1;
    i = ws(i + 1);
  }
  feedTag(7);
  depth--;
  return i + 1;
}

/** A list of true/false (TRL's stepwise labels); their number left in listCount. */
function scanBooleans(i: number): number {
  if (++depth > 32) return -1;
  feedTag(6);
  listCount = 0;
  i = ws(i + 1);
  if (at(i) !== 93) {
    for (;;) {
      const c = at(i);
      i = c === 116 ? literal(i, 'true', 3) : c === 102 ? literal(i, 'false', 4) : -1;
      if (i < 0) return -1;
      listCount++;
      i = ws(i);
      const d = at(i);
      if (d === 93) break;
      if (d !== 44) return -1;
      i = ws(i + 1);
    }
  }
  feedTag(7);
  depth--;
  return i + 1;
}

/** keys whose value may be a string, and keys whose value may be a list of turns */
const STRING_OR_TURNS = new Set<number>([K.text, K.prompt, K.completion, K.chosen, K.rejected, K.instruction, K.input, K.output, K.system]);
const TURN_LISTS = new Set<number>([K.prompt, K.completion, K.chosen, K.rejected, K.messages, K.conversations]);

/** prompt, completion, chosen and rejected hold text in a standard record and turns in a conversational one */
const EITHER = [K.prompt, K.completion, K.chosen, K.rejected];

/**
 * The format of a record with these keys, by detectFormat itself: asked once per set of format keys
 * (and of which of them hold lists), with stand-in values. Metadata keys matter to one rule only: a
 * prompt-only record must have no key that looks like a misspelt completion, chosen … (metadata()
 * gives their names for that case).
 */
const DETECTED = new Map<number, Detected | undefined>();
function detectedFor(keys: number, lists: number, metadata: () => readonly string[]): Detected | undefined {
  const id = keys | (lists << TOP.length);
  let d = DETECTED.get(id);
  if (d === undefined && !DETECTED.has(id)) DETECTED.set(id, (d = detectFormat(standIn(keys, lists, []))));
  if (d?.format === 'prompt-only') {
    const names = metadata();
    if (names.length) d = detectFormat(standIn(keys, lists, names));
  }
  return d;
}

function standIn(keys: number, lists: number, metadata: readonly string[]): Record<string, unknown> {
  const o = Object.create(null) as Record<string, unknown>; // a metadata key may be "__proto__"
  for (let k = 0; k < TOP.length; k++) if (keys & (1 << k)) o[TOP[k]!] = lists & (1 << k) ? [] : '';
  for (const name of metadata) o[name] = null;
  return o;
}

/** Tool definitions by the hash of their value: false (a defect), true (no names: any call goes) or the names. */
const TOOLS_VERDICT = new Map<string, false | true | readonly string[]>();
// the last value's verdict: a file's records usually share one tools list (no key string to build per line)
let lastTools = { a: 0, b: 0, len: -1, verdict: false as false | true | readonly string[] };
function toolsVerdict(a: number, b: number, s: number, e: number): false | true | readonly string[] {
  if (lastTools.a === a && lastTools.b === b && lastTools.len === e - s) return lastTools.verdict;
  const key = `${a}:${b}:${e - s}`;
  let v = TOOLS_VERDICT.get(key);
  if (v === undefined) {
    const rec = { tools: JSON.parse(B.toString('utf8', s, e)) as unknown };
    toolWords.length = 0;
    checkToolsDefinition(rec, 'language-modeling', NO_PLACE, toolWords);
    v = toolWords.length ? false : (toolNames(rec, 'language-modeling') ?? true);
    if (TOOLS_VERDICT.size > 1000) TOOLS_VERDICT.clear();
    TOOLS_VERDICT.set(key, v);
  }
  lastTools = { a, b, len: e - s, verdict: v };
  return v;
}

/** UTF-16 units of bytes [s, e). */
function utf16Units(s: number, e: number): number {
  let u = 0;
  for (let i = s; i < e; i++) u += CLS[B[i]!]! & 31;
  return u;
}

/** Bytes of the opening of a lead text enough for its signature in the usual case (three short words). */
const PREFIX = 96;

/** The template fact of a lead text at [S, E2) (analyzeLine: templateSignature, then rangeOfText). */
function templateAt(lineStart: number, S: number, E2: number, esc: boolean, len: number, delta: number): TemplateFact | undefined {
  let sig: string | undefined;
  if (!esc && E2 - S > PREFIX) {
    let cut = S + PREFIX;
    while ((B[cut]! & 0xc0) === 0x80) cut--;
    const prefix = B.toString('utf8', S, cut);
    sig = templateSignature(prefix);
    if (!signatureScan.complete || signatureScan.end + 2 > prefix.length) sig = undefined;
  }
  if (sig === undefined) {
    // the signature reads SIGNATURE_SPAN units at most: 3 bytes each at most, cut on a character boundary
    let text: string;
    const span = 3 * SIGNATURE_SPAN + 3;
    if (esc || E2 - S <= span) text = decodeLast(S, E2, esc);
    else {
      let cut = S + span;
      while ((B[cut]! & 0xc0) === 0x80) cut--;
      text = B.toString('utf8', S, cut);
    }
    sig = templateSignature(text);
    if (sig === undefined) return undefined;
    if (esc) return probedAt(lineStart, Buffer.from(templateProbe(text)), len, sig);
  }
  // unescaped: the probe is the raw bytes from the opening quote to PROBE units (to the closing quote when shorter)
  let units = 0,
    j = S;
  while (j < E2 && units < PROBE) {
    units += CLS[B[j]!]! & 31;
    j++;
    while (j < E2 && (B[j]! & 0xc0) === 0x80) j++;
  }
  if (units > PROBE) {
    // the cut splits a surrogate pair: JSON.stringify writes the half as an escape; do as rangeOfText does
    return probedAt(lineStart, Buffer.from(templateProbe(decodeLast(S, E2, false))), len, sig);
  }
  const probeEnd = j === E2 ? E2 + 1 : j;
  // its first occurrence, as line.indexOf finds it: the lead's own place or before it
  const found = B.subarray(lineStart, probeEnd).indexOf(B.subarray(S - 1, probeEnd));
  // at its own place (the usual case) its UTF-16 offset is known from the scan: no second walk over the line
  const start = lineStart + found === S - 1 ? found + delta : utf16Units(lineStart, lineStart + found);
  return { sig, start, end: start + units + (j === E2 ? 2 : 1) };
}

/** Where the probe's first occurrence in the line is (rangeOfText's search, over bytes). */
function probedAt(lineStart: number, probe: Buffer, len: number, sig: string): TemplateFact {
  const found = B.subarray(lineStart, E).indexOf(probe);
  if (found < 0) return { sig, start: 0, end: len };
  const start = utf16Units(lineStart, lineStart + found);
  return { sig, start, end: start + probe.toString('utf8').length };
}

/**
 * The facts of the line buf[start, end) when it is surely a clean record (no diagnostic of its own),
 * else undefined. Never used with a user schema.
 */
export function scanCleanLine(buf: Buffer, start: number, end: number, opts: AnalyzeOptions): LineFacts | undefined {
  B = buf;
  E = end;
  lenDelta = 0;
  depth = 0;
  kindOf.fill(NONE);
  callIds.length = 0;
  withIds = false;
  calledNames.length = 0;
  if (!useTables(opts)) return undefined;
  let toolsS = -1,
    toolsE = -1,
    steps = -1,
    labels = -1,
    convSawAssistant = false,
    convSawUser = false,
    convLast = -1;
  let unknownKeys: number[] | undefined; // [start, end, hashA, hashB] of each non-format key
  let i = ws(start);
  if (at(i) !== 123) return undefined;
  let sumA = 0,
    sumB = 0,
    members = 0;
  i = ws(i + 1);
  if (at(i) === 125) return undefined;
  for (;;) {
    if (at(i) !== 34) return undefined;
    hs.a = SEED_A;
    hs.b = SEED_B;
    i = scanNamed(i, topNames);
    if (i < 0) return undefined;
    const ka = hs.a,
      kb = hs.b;
    let key = UNKNOWN;
    if (matched !== undefined) key = matched.id;
    else if (strEsc) return undefined;
    if (key === GIVE_UP || (key >= 0 && kindOf[key] !== NONE)) return undefined;
    if (key === UNKNOWN) {
      unknownKeys ??= [];
      for (let k = 0; k < unknownKeys.length; k += 4) if (unknownKeys[k + 2] === ka && unknownKeys[k + 3] === kb) return undefined;
      unknownKeys.push(strS, strE, ka, kb);
    }
    i = ws(i);
    if (at(i) !== 58) return undefined;
    i = ws(i + 1);
    hs.a = SEED_A;
    hs.b = SEED_B;
    const c = at(i);
    if (key === UNKNOWN) {
      i = scanValue(i);
    } else if (key === K.label) {
      i = c === 116 ? literal(i, 'true', 3) : c === 102 ? literal(i, 'false', 4) : -1;
      kindOf[key] = c === 116 ? TRUE : FALSE;
    } else if (c === 34 && STRING_OR_TURNS.has(key)) {
      feedTag(1);
      i = scanString(i);
      kindOf[key] = STR;
      solid[key] = i >= 0 && !lastIsBlank() ? 1 : 0;
      lS[key] = strS;
      lE[key] = strE;
      lEsc[key] = strEsc ? 1 : 0;
      lSys[key] = key === K.system ? 1 : 0;
      lD[key] = strDelta;
    } else if (key === K.tools && (c === 91 || c === 34)) {
      toolsS = i;
      i = scanToolsValue(i);
      toolsE = i;
      kindOf[key] = c === 91 ? LIST : STR;
    } else if (key === K.parallel_tool_calls) {
      i = c === 116 ? literal(i, 'true', 3) : c === 102 ? literal(i, 'false', 4) : -1;
      kindOf[key] = c === 116 ? TRUE : FALSE;
    } else if (c === 123 && (key === K.chosen || key === K.rejected)) {
      // LLaMA-Factory's ranking sets: one ShareGPT turn
      i = scanTurns(i, RESPONSE, true, false, true);
      kindOf[key] = OBJ;
    } else if (c === 91 && (key === K.completions || key === K.labels)) {
      i = key === K.completions ? scanSteps(i) : scanBooleans(i);
      kindOf[key] = LIST;
      if (key === K.completions) steps = listCount;
      else labels = listCount;
    } else if (c === 91 && TURN_LISTS.has(key)) {
      i = scanTurns(i, listKind(key), key === K.conversations, key === K.messages);
      if (key === K.conversations) {
        convSawAssistant = turnsSawAssistant;
        convSawUser = turnsSawUser;
        convLast = turnsLast;
      }
      kindOf[key] = LIST;
      lS[key] = leadS;
      lE[key] = leadE;
      lEsc[key] = leadEsc ? 1 : 0;
      lSys[key] = leadSys ? 1 : 0;
      lD[key] = leadD;
    } else {
      return undefined;
    }
    if (i < 0) return undefined;
    if (key >= 0) {
      valA[key] = hs.a;
      valB[key] = hs.b;
    }
    memberMix(ka, kb, hs.a, hs.b);
    sumA = (sumA + hs.a) | 0;
    sumB = (sumB + hs.b) | 0;
    members++;
    i = ws(i);
    const sep = at(i);
    if (sep === 125) break;
    if (sep !== 44) return undefined;
    i = ws(i + 1);
  }
  if (ws(i + 1) !== E) return undefined;

  // the top-level keys present, as bits (TOP's order)
  let keys = 0,
    lists = 0;
  for (let k = 0; k < TOP.length; k++) {
    if (kindOf[k] !== NONE) keys |= 1 << k;
    if (kindOf[k] === LIST) lists |= 1 << k;
  }
  const detected = detectedFor(keys, lists, () => {
    const names: string[] = [];
    for (let k = 0; unknownKeys && k < unknownKeys.length; k += 4) names.push(B.toString('utf8', unknownKeys[k]!, unknownKeys[k + 1]));
    return names;
  });
  if (!detected?.exact) return undefined;
  const { format, conversational } = detected;
  if (format === 'openai-preference' || (opts.format !== undefined && opts.format !== format)) return undefined;
  // what checkRecord would say: keys of another format, blank text; and the schema: text or turns throughout
  const plan = planOf(format, conversational);
  for (let k = 0; k < TOP.length; k++) if ((keys & (1 << k)) !== 0 && !plan.allowed.has(TOP[k]!)) return undefined;
  for (const t of plan.texts) if ((keys & (1 << K[t as TopKey])) !== 0 && !solid[K[t as TopKey]]) return undefined;
  if (format === 'sharegpt-preference') {
    // chosen and rejected are single turns; the conversation is the prompt: it must not end with the answer
    if (kindOf[K.chosen] !== OBJ || kindOf[K.rejected] !== OBJ || convLast === ASSISTANT) return undefined;
  } else {
    const want = conversational ? LIST : STR;
    for (const k of EITHER) if ((keys & (1 << k)) !== 0 && kindOf[k] !== want) return undefined;
  }
  // a ShareGPT conversation needs an assistant turn and a user turn
  if (format === 'sharegpt' && (!convSawAssistant || !convSawUser)) return undefined;
  // stepwise: one label per step
  if (format === 'stepwise-supervision' && steps !== labels) return undefined;
  // tools: what checkToolsDefinition says of this value (asked once per distinct value), and every call's name among them
  if ((keys & (1 << K.tools)) !== 0) {
    if (!conversational || (format !== 'language-modeling' && format !== 'sharegpt' && format !== 'sharegpt-preference')) return undefined;
    const verdict = toolsVerdict(valA[K.tools]!, valB[K.tools]!, toolsS, toolsE);
    if (verdict === false) return undefined;
    if (verdict !== true) for (const name of calledNames) if (!verdict.includes(name)) return undefined;
  }
  // an implicit prompt makes chosen and rejected whole conversations, with other rules: left to the slow path
  if (format === 'preference' && conversational && (keys & (1 << K.prompt)) === 0) return undefined;
  // chosen identical to rejected: different hashes prove them different; equal ones are left to the slow path
  if (format === 'preference' && valA[K.chosen] === valA[K.rejected] && valB[K.chosen] === valB[K.rejected]) return undefined;

  const len = end - start + lenDelta;
  if (len / 4 > opts.maxTokens) return undefined;

  // the template's lead text (promptLead)
  let lead = -1;
  if (format === 'language-modeling') lead = conversational ? K.messages : -1;
  else if (format === 'alpaca') lead = (keys & (1 << K.system)) !== 0 && solid[K.system] ? K.system : K.instruction;
  else if (format === 'sharegpt' || format === 'sharegpt-preference') lead = (keys & (1 << K.system)) !== 0 && solid[K.system] ? K.system : K.conversations;
  else lead = (keys & (1 << K.prompt)) !== 0 ? K.prompt : -1;
  let template: TemplateFact | undefined;
  if (lead >= 0 && lS[lead]! >= 0) {
    template = templateAt(start, lS[lead]!, lE[lead]!, lEsc[lead] === 1, len, lD[lead]!);
    if (template && lSys[lead]) template = { sig: SYSTEM_MARK + template.sig, start: template.start, end: template.end };
  }

  objectEnd(HASH_SEED_A, HASH_SEED_B, members, sumA, sumB);
  return new LineFacts(len, true, variantKey(format, conversational), hashResult(), template, NO_DIAGS);
}
