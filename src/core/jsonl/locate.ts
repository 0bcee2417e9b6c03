/**
 * Position-aware JSON parsing of one line. Used only where a precise range is needed: to place a
 * syntax error at its exact column, and to map a JSON path to the key or value it names.
 * The fast path (JSON.parse) never goes through here.
 */
export type JsonPath = readonly (string | number)[];

export interface JsonNode {
  readonly kind: 'object' | 'array' | 'string' | 'number' | 'literal';
  readonly start: number;
  end: number;
  /** object members in source order */
  readonly members?: { key: string; keyStart: number; keyEnd: number; value: JsonNode }[];
  readonly items?: JsonNode[];
}

export interface SyntaxProblem {
  readonly start: number;
  readonly end: number;
  readonly message: string;
}

export type LocateResult = { ok: true; root: JsonNode } | { ok: false; error: SyntaxProblem };

const MAX_DEPTH = 2000;

class Fail {
  constructor(readonly problem: SyntaxProblem) {}
}

export function parseWithLocations(text: string): LocateResult {
  let i = 0;
  const n = text.length;
  const fail = (start: number, message: string, end = start + 1): never => {
    throw new Fail({ start, end: Math.min(Math.max(end, start + 1), Math.max(n, start + 1)), message });
  };
  const describe = (pos: number): string => {
    if (pos >= n) return 'the end of the line';
    const ch = text[pos]!;
    return JSON.stringify(ch);
  };
  const ws = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else break;
    }
  };
  const parseString = (): { value: string; start: number; end: number } => {
    const start = i;
    i++; // opening quote
    let out = '';
    let chunk = i;
    while (true) {
      if (i >= n) fail(start, 'Unterminated string: add the closing double quote', n);
      const c = text.charCodeAt(i);
      if (c === 34) {
        out += text.slice(chunk, i);
        i++;
        return { value: out, start, end: i };
      }
      if (c === 92) {
        out += text.slice(chunk, i);
        const e = text[i + 1];
        if (e === undefined) fail(i, 'Unterminated escape sequence at the end of the line', n);
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e! in simple) {
          out += simple[e!];
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          // Stryker disable next-line Regex: equivalent: hex is a slice of at most 4 characters, so 4 hex digits at its end are all of it
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail(i, 'Invalid unicode escape: \\u must be followed by 4 hex digits', i + 2 + hex.length);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else {
          fail(i, `Invalid escape \\${e}: JSON allows \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX (write a backslash as \\\\)`, i + 2);
        }
        chunk = i;
        continue;
      }
      if (c < 32) fail(i, 'Control character inside a string: escape it (a tab as \\t, a newline as \\n)');
      i++;
    }
  };
  const parseNumber = (): JsonNode => {
    const start = i;
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0].length === 0 || m[0] === '-') fail(start, 'Invalid number');
    i += m![0].length;
    const next = text[i];
    if (next !== undefined && /[0-9.eE+\-xXa-zA-Z]/.test(next)) fail(start, 'Invalid number: JSON numbers have no leading zeros, hex or trailing dots', i + 1);
    return { kind: 'number', start, end: i };
  };
  const parseValue = (depth: number): JsonNode => {
    if (depth > MAX_DEPTH) fail(i, 'Nesting too deep');
    ws();
    if (i >= n) fail(i, 'Expected a value but the line ended', n);
    const c = text[i]!;
    if (c === '{') return parseObject(depth);
    if (c === '[') return parseArray(depth);
    if (c === '"') {
      const s = parseString();
      return { kind: 'string', start: s.start, end: s.end };
    }
    if (c === '-' || (c >= '0' && c <= '9')) return parseNumber();
    for (const lit of ['true', 'false', 'null']) {
      if (text.startsWith(lit, i)) {
        const start = i;
        i += lit.length;
        return { kind: 'literal', start, end: i };
      }
    }
    if (c === "'") fail(i, 'Single quotes are not valid JSON: use double quotes');
    if (text.startsWith('NaN', i) || text.startsWith('Infinity', i)) fail(i, 'NaN and Infinity are not valid JSON: use null or a number', i + 3);
    if (c === '}' || c === ']' || c === ',') fail(i, `Expected a value but found ${describe(i)}`);
    const word = /^[A-Za-z_]\w*/.exec(text.slice(i, i + 40));
    if (word) fail(i, `Unexpected word ${JSON.stringify(word[0])}: strings need double quotes; literals are true, false and null`, i + word[0].length);
    return fail(i, `Unexpected character ${describe(i)}`);
  };
  const parseObject = (depth: number): JsonNode => {
    const node: JsonNode = { kind: 'object', start: i, end: i, members: [] };
    i++;
    ws();
    if (text[i] === '}') {
      i++;
      node.end = i;
      return node;
    }
    while (true) {
      ws();
      if (i >= n) fail(node.start, 'Unclosed object: add the closing }', n);
      if (text[i] === "'") fail(i, 'Single quotes are not valid JSON: put property names in double quotes');
      if (text[i] === '}') fail(i, 'Trailing comma before }: remove the comma');
      if (text[i] !== '"') fail(i, `Expected a property name in double quotes but found ${describe(i)}`);
      const k = parseString();
      ws();
      if (text[i] !== ':') fail(i, `Expected ':' after the property name but found ${describe(i)}`);
      i++;
      const value = parseValue(depth + 1);
      node.members!.push({ key: k.value, keyStart: k.start, keyEnd: k.end, value });
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        node.end = i;
        return node;
      }
      if (i >= n) fail(node.start, 'Unclosed object: add the closing }', n);
      fail(i, `Expected ',' or '}' after a property value but found ${describe(i)}`);
    }
  };
  const parseArray = (depth: number): JsonNode => {
    const node: JsonNode = { kind: 'array', start: i, end: i, items: [] };
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      node.end = i;
      return node;
    }
    while (true) {
      ws();
      if (text[i] === ']') fail(i, 'Trailing comma before ]: remove the comma');
      node.items!.push(parseValue(depth + 1));
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        node.end = i;
        return node;
      }
      if (i >= n) fail(node.start, 'Unclosed array: add the closing ]', n);
      fail(i, `Expected ',' or ']' after an array element but found ${describe(i)}`);
    }
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) i = 1;
    const root = parseValue(0);
    ws();
    if (i < n) {
      const rest = text.slice(i);
      const msg = rest.trimStart().startsWith('{')
        ? 'A second JSON value on the same line: JSONL holds one record per line'
        : `Unexpected text after the JSON value: ${describe(i)}`;
      fail(i, msg, n);
    }
    return { ok: true, root };
  } catch (e) {
    if (e instanceof Fail) return { ok: false, error: e.problem };
    if (e instanceof RangeError) return { ok: false, error: { start: 0, end: n, message: 'Nesting too deep to parse' } };
    throw e;
  }
}

export interface Located {
  /** the node the path names, or the deepest existing ancestor */
  readonly node: JsonNode;
  /** range of the member's key when the path ends at an object member */
  readonly key?: { start: number; end: number };
  /** true when the whole path exists */
  readonly exact: boolean;
}

export function locate(root: JsonNode, path: JsonPath): Located {
  let node = root;
  let key: { start: number; end: number } | undefined;
  for (const seg of path) {
    if (node.kind === 'object' && typeof seg === 'string') {
      // JSON.parse keeps the last duplicate key; so do we
      let found: NonNullable<JsonNode['members']>[number] | undefined;
      for (const m of node.members!) if (m.key === seg) found = m;
      if (!found) return { node, key, exact: false };
      node = found.value;
      key = { start: found.keyStart, end: found.keyEnd };
    } else if (node.kind === 'array' && typeof seg === 'number' && seg < node.items!.length) {
      node = node.items![seg]!;
      key = undefined;
    } else {
      return { node, key, exact: false };
    }
  }
  return { node, key, exact: true };
}
