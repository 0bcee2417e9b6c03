// The house rules of the import graph: no loops between folders, src/protocol a leaf, webview-ui on protocol
// only, a vscode-free core. Read from the sources themselves (every relative import, export … from,
// import() and require()).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

interface Edge {
  readonly from: string; // file, relative to the root
  readonly to: string; // file, relative to the root, or a package name
}

export function importsOf(file: string, text: string): Edge[] {
  const out: Edge[] = [];
  const re =
    /(?:^|[^.\w])(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])import\s*['"]([^'"]+)['"]|(?:import|require)\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (let m; (m = re.exec(text));) {
    const spec = m[1] ?? m[2] ?? m[3]!;
    if (!spec.startsWith('.')) {
      out.push({ from: relative(root, file), to: spec });
      continue;
    }
    const base = resolve(dirname(file), spec);
    const target = [base, `${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p) && statSync(p).isFile());
    assert.ok(target, `${relative(root, file)}: cannot resolve ${spec}`);
    out.push({ from: relative(root, file), to: relative(root, target) });
  }
  return out;
}

const edges = [...files(join(root, 'src')), ...files(join(root, 'webview-ui'))].flatMap((f) => importsOf(f, readFileSync(f, 'utf8')));
const local = edges.filter((e) => e.to.startsWith('src/') || e.to.startsWith('webview-ui/'));

/** Strongly connected components of the folder graph with more than one folder: the loops. */
export function folderLoops(es: readonly Edge[]): string[][] {
  const graph = new Map<string, Set<string>>();
  for (const e of es) {
    const a = dirname(e.from),
      b = dirname(e.to);
    if (!graph.has(a)) graph.set(a, new Set());
    if (!graph.has(b)) graph.set(b, new Set());
    if (a !== b) graph.get(a)!.add(b);
  }
  let n = 0;
  const index = new Map<string, number>(),
    low = new Map<string, number>(),
    stack: string[] = [],
    on = new Set<string>(),
    loops: string[][] = [];
  const visit = (v: string) => {
    index.set(v, n);
    low.set(v, n++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) loops.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return loops;
}

test('the loop finder finds a loop through three folders, and none in a chain', () => {
  const e = (from: string, to: string): Edge => ({ from: `${from}/x.ts`, to: `${to}/y.ts` });
  assert.deepEqual(folderLoops([e('a', 'b'), e('b', 'c'), e('c', 'a'), e('c', 'd')]), [['a', 'b', 'c']]);
  assert.deepEqual(folderLoops([e('a', 'b'), e('b', 'c'), e('a', 'c')]), []);
});

test('no folder of src/ or webview-ui/ imports, through any chain, a folder that imports it back', () => {
  assert.ok(local.length > 100, 'the import graph was read');
  assert.deepEqual(folderLoops(local), []);
});

test('src/protocol is a leaf: it imports nothing outside itself', () => {
  const out = edges.filter((e) => e.from.startsWith('src/protocol/') && !e.to.startsWith('src/protocol/'));
  assert.deepEqual(out, []);
});

test('webview-ui imports only src/protocol (and its own folders, lit, the VS Code elements, Chart.js)', () => {
  const out = edges.filter(
    (e) =>
      e.from.startsWith('webview-ui/') &&
      !e.to.startsWith('webview-ui/') &&
      !e.to.startsWith('src/protocol/') &&
      !/^(lit|@vscode-elements\/|chart\.js$)/.test(e.to),
  );
  assert.deepEqual(out, []);
});

test('src/core never reaches for the editor, the CLI or the extension; the CLI never for the extension', () => {
  const bad = edges.filter(
    (e) =>
      (e.from.startsWith('src/core/') && (e.to === 'vscode' || e.to.startsWith('src/extension/') || e.to.startsWith('src/cli/'))) ||
      (e.from.startsWith('src/cli/') && (e.to === 'vscode' || e.to.startsWith('src/extension/'))),
  );
  assert.deepEqual(bad, []);
});
