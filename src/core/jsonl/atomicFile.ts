/**
 * Writes of anything a person produced: never in place. The new content goes to a temporary file in
 * the same folder, is flushed to disk, and replaces the old file by rename; a killed process leaves
 * either the old file or the new one, never half of one.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export function writeFileAtomic(path: string, data: string): void {
  const w = new AtomicWriter(path);
  try {
    w.write(data);
  } catch (e) {
    w.abort();
    throw e;
  }
  w.commit();
}

/**
 * The same, written piece by piece (a file too large to hold as one string): `write` as often as
 * needed, then `commit` (flushed, renamed over `path`) or `abort` (the temporary file removed, the old
 * file untouched).
 */
export class AtomicWriter {
  private readonly tmp: string;
  private fd?: number;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    this.fd = openSync(this.tmp, 'w', 0o644);
  }

  write(data: string): void {
    if (this.fd === undefined) throw new Error(`${this.path}: written after commit or abort`);
    writeSync(this.fd, data);
  }

  commit(): void {
    if (this.fd === undefined) throw new Error(`${this.path}: committed after commit or abort`);
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(this.tmp, this.path);
    } catch (e) {
      this.removeTemp();
      throw e;
    }
    try {
      const dfd = openSync(dirname(this.path), 'r');
      fsyncSync(dfd);
      closeSync(dfd);
    } catch {
      /* some file systems cannot fsync a directory */
    }
  }

  abort(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    this.removeTemp();
  }

  private removeTemp(): void {
    try {
      unlinkSync(this.tmp);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Remove the temporary files that writes of `path` left behind when their process was killed before
 * the rename (the file itself is whole: the old content or the new). A temporary file of a process
 * still running is left alone: it may be about to be renamed.
 */
export function removeStaleTemps(path: string): string[] {
  const dir = dirname(path);
  const prefix = `.${basename(path)}.`;
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(prefix.length));
    if (!m || alive(Number(m[1]))) continue;
    try {
      unlinkSync(join(dir, name));
      removed.push(join(dir, name));
    } catch {
      /* gone already */
    }
  }
  return removed;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return false; // this process writes synchronously: no write of its own is under way
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Append lines to a JSONL log atomically (the whole file is replaced, so a crash loses nothing already written). */
export function appendLinesAtomic(path: string, lines: readonly string[]): void {
  let old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (old.length && !old.endsWith('\n')) old += '\n';
  writeFileAtomic(path, old + lines.map((l) => l + '\n').join(''));
}

/**
 * Read an append-only JSONL log: the entries `accept` recognises, and one problem line for each line
 * it could not use (a torn last line after a crash, a hand edit). Nothing is dropped from the file.
 */
export function readJsonlLog<T>(path: string, accept: (v: unknown) => v is T, what: string): { entries: T[]; problems: string[] } {
  const entries: T[] = [];
  const problems: string[] = [];
  if (!existsSync(path)) return { entries, problems };
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        problems.push(`${path}:${i + 1}: unreadable line; kept in the file, ignored`);
        return;
      }
      if (accept(v)) entries.push(v);
      else problems.push(`${path}:${i + 1}: not ${what}; kept in the file, ignored`);
    });
  return { entries, problems };
}
