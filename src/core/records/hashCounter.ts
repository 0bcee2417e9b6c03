/**
 * Counts of 53-bit content hashes in an open-addressing table of typed arrays. A Map<number, number>
 * boxes every hash above 2^31 and measured a tenth of the CLI's time on a 120 MB file; this does not.
 */
const EMPTY = -1;
const TOMBSTONE = -2;

export class HashCounter {
  private keys = new Float64Array(1024).fill(EMPTY);
  private counts = new Int32Array(1024);
  private used = 0; // live keys + tombstones
  size = 0;

  private slot(h: number): number {
    // the low 32 bits of the hash are already well mixed
    return (h >>> 0) & (this.keys.length - 1);
  }

  private find(h: number): number {
    const mask = this.keys.length - 1;
    for (let i = this.slot(h); ; i = (i + 1) & mask) {
      const k = this.keys[i]!;
      if (k === h) return i;
      if (k === EMPTY) return -1;
    }
  }

  get(h: number): number {
    const i = this.find(h);
    return i < 0 ? 0 : this.counts[i]!;
  }

  /** Add `by` (±1) to the count of h; returns the new count. */
  add(h: number, by: number): number {
    const i = this.find(h);
    if (i >= 0) {
      const n = this.counts[i]! + by;
      if (n <= 0) {
        this.keys[i] = TOMBSTONE;
        this.counts[i] = 0;
        this.size--;
        return 0;
      }
      this.counts[i] = n;
      return n;
    }
    if (by <= 0) return 0;
    if ((this.used + 1) * 2 > this.keys.length) this.rehash();
    const mask = this.keys.length - 1;
    let j = this.slot(h);
    while (this.keys[j]! >= 0) j = (j + 1) & mask;
    if (this.keys[j] === EMPTY) this.used++;
    this.keys[j] = h;
    this.counts[j] = by;
    this.size++;
    return by;
  }

  /** Make room for `n` more keys at once (one rehash instead of a doubling at every power of two). */
  reserve(n: number): void {
    let cap = this.keys.length;
    while ((this.used + n) * 2 > cap) cap *= 2;
    if (cap > this.keys.length) this.rehash(cap);
  }

  private rehash(capacity?: number): void {
    const oldKeys = this.keys;
    const oldCounts = this.counts;
    const cap = capacity ?? (this.size * 4 > oldKeys.length ? oldKeys.length * 2 : oldKeys.length);
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.counts = new Int32Array(cap);
    this.used = 0;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) if (oldKeys[i]! >= 0) this.add(oldKeys[i]!, oldCounts[i]!);
  }
}
