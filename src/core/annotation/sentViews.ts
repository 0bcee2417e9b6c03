/**
 * Which item contents a panel's webview already holds, so that none is sent twice: the ids sent in
 * the last `window` sends. The webview keeps at least twice as many (protocol KEPT_VIEWS), in the
 * order sent, so whatever this set still holds is still there.
 */
export class SentViews {
  // Stryker disable next-line ArrayDeclaration: equivalent: a stray first entry is never counted, and the first add() shifts it out
  private readonly order: string[] = [];
  private readonly count = new Map<string, number>();

  constructor(private readonly window: number) {}

  has(id: string): boolean {
    return this.count.has(id);
  }

  add(id: string): void {
    this.order.push(id);
    this.count.set(id, (this.count.get(id) ?? 0) + 1);
    while (this.order.length > this.window) {
      const old = this.order.shift()!;
      const n = this.count.get(old)! - 1;
      if (n) this.count.set(old, n);
      else this.count.delete(old);
    }
  }

  /** The webview was (re)loaded: it holds nothing. */
  clear(): void {
    this.order.length = 0;
    this.count.clear();
  }
}
