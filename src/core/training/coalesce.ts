/**
 * A trainer that prints thousands of lines a second must not starve whoever shows its progress: the
 * state is folded line by line (cheap), and the one who shows it is told at most once per interval —
 * at once when it has been quiet, else once at the end of the interval, with the latest state.
 */
export class Coalescer {
  private timer?: NodeJS.Timeout;
  private last = -Infinity;
  private pending = false;

  constructor(
    private readonly notify: () => void,
    private readonly intervalMs = 150,
  ) {}

  /** Something changed. */
  poke(): void {
    this.pending = true;
    if (this.timer) return;
    const wait = this.last + this.intervalMs - Date.now();
    if (wait <= 0) this.fire();
    else this.timer = setTimeout(() => ((this.timer = undefined), this.fire()), wait);
  }

  /** Tell now what is pending (the end of a run), and stop the timer. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending) this.fire();
  }

  private fire(): void {
    if (!this.pending) return;
    this.pending = false;
    this.last = Date.now();
    this.notify();
  }
}
