/**
 * An append-only log (annotations, review decisions) read again only when the file changed on disk
 * since it was last read or written here: a panel asks for it at every key, and re-reading a log of
 * 100,000 labels each time would cost more than the key's whole budget.
 */
import { statSync } from 'node:fs';

export class LogCache<T> {
  // Stryker disable next-line StringLiteral: equivalent: the stamp is compared only once something is loaded, and loading sets it
  private stamp = '';
  private loaded?: { events: T[]; problems: string[] };
  /** bumped whenever the events change (for caches of what is derived from them) */
  version = 0;

  constructor(
    readonly path: string,
    private readonly read: (path: string) => { events: T[]; problems: string[] },
    private readonly append: (path: string, e: T) => void,
  ) {}

  private now(): string {
    try {
      const s = statSync(this.path);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      // Stryker disable next-line StringLiteral: equivalent: any constant marks a missing file; a stat stamp is never empty
      return 'none';
    }
  }

  get(): { events: readonly T[]; problems: readonly string[] } {
    const stamp = this.now();
    if (!this.loaded || stamp !== this.stamp) {
      this.loaded = this.read(this.path);
      this.stamp = stamp;
      this.version++;
    }
    return this.loaded;
  }

  /** Append an event to the log (atomically, by the store's own append) and to what is held. */
  add(e: T): void {
    const { events } = this.get();
    this.append(this.path, e);
    (events as T[]).push(e);
    this.stamp = this.now();
    this.version++;
  }

  /** Forget what is held (after another writer, e.g. undo, changed the log). */
  reset(): void {
    this.loaded = undefined;
  }
}
