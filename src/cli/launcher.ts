#!/usr/bin/env node
/**
 * dist/cli.js: runs the bundled CLI (dist/cliMain.js) from the V8 code cache built beside it
 * (dist/cliMain.js.cache, made by scripts/build.mjs), so that a run does not parse and compile a
 * megabyte of JavaScript before reading its first line. The cache names the build it was made from
 * (the bundle's first line, `// ftstudio build <id>`): V8 itself checks only the source's length, so a
 * cache of another build is never used. A cache from another Node version is rejected by V8 and the
 * bundle compiles as usual: the cache only ever saves time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { constants, Script } from 'node:vm';

const file = join(__dirname, 'cliMain.js');
const cacheFile = `${file}.cache`;
const source = readFileSync(file, 'utf8');
const build = /^\/\/ ftstudio build (\S+)/.exec(source)?.[1] ?? '';
const header = Buffer.from(`${build}\n`);
let cachedData: Buffer | undefined;
let state = 'absent';
try {
  const cache = readFileSync(cacheFile);
  if (build && cache.subarray(0, header.length).equals(header)) cachedData = cache.subarray(header.length);
  else state = 'of another build';
} catch {
  // no cache: compile
}
const wrapped = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
const script = new Script(wrapped, { filename: file, cachedData, importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
if (cachedData) state = script.cachedDataRejected ? 'rejected' : 'used';
if (process.env.FTSTUDIO_CODE_CACHE_REPORT) process.stderr.write(`ftstudio: code cache ${state}\n`);
if (process.env.FTSTUDIO_WRITE_CODE_CACHE) {
  // the build's warm-up run: the cache then holds every function that run compiled, not only the top level
  process.once('exit', () => writeFileSync(cacheFile, Buffer.concat([header, script.createCachedData()])));
}
const mod = { exports: {} as { runFromCommandLine(): void } };
(script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, __dirname);
mod.exports.runFromCommandLine();
