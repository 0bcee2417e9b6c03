/**
 * The webview's half of binding decisions to what is on screen (the extension's half is
 * core/annotation/binding.ts). Every key is bound to the item shown when it is pressed; then:
 * - optimistic (ranking): the next item, already sent by the extension, shows at once and the next
 *   key is bound to it. When the next item is not here yet, the screen says so and keys are dropped
 *   (with a notice) until it comes: a key is never applied to an item nobody saw.
 * - one at a time (review): after a decision, keys are dropped until the extension has answered it
 *   and the panel has moved on.
 * Pure state, no DOM: unit-tested in test/unit/binding.test.ts.
 */
import { KEPT_VIEWS } from '../../src/protocol/ranking';

export interface HostState<V extends { readonly id: string }> {
  /** seq of the last message the extension handled */
  readonly ack: number;
  /** the item the extension shows; null for none */
  readonly shownId: string | null;
  /** the ids that follow the shown one, in order */
  readonly nextIds: readonly string[];
  /** item contents not sent before */
  readonly views: readonly V[];
}

export interface Binding {
  readonly seq: number;
  readonly id: string;
}

export class DecisionQueue<V extends { readonly id: string }> {
  /** the id of the item on screen; null while none (or the next one is still on its way) */
  shown: string | null = null;
  /** why the last key was dropped; cleared by the next accepted key */
  notice?: string;
  private readonly views = new Map<string, V>();
  private ahead: string[] = [];
  /** the item to show when it comes; null: the extension's answer */
  private awaiting?: string | null;
  private seq = 0;
  private acked = 0;

  constructor(private readonly optimistic: boolean) {}

  /** The content of the item on screen. */
  get view(): V | undefined {
    return this.shown === null ? undefined : this.views.get(this.shown);
  }

  /** Messages sent and not yet answered. */
  get inFlight(): number {
    return this.seq - this.acked;
  }

  /** Waiting for the extension (a decision's item not here yet, or the answer in one-at-a-time mode). */
  get waiting(): boolean {
    return this.awaiting !== undefined || (!this.optimistic && this.inFlight > 0);
  }

  /** The seq of a message that is no decision (navigation, filters, undo). */
  message(): number {
    return ++this.seq;
  }

  /** A state from the extension. Until every message sent has been answered the screen stays where the keys took it. */
  onState(s: HostState<V>): void {
    for (const v of s.views) {
      // kept in the order sent: the extension resends anything it sent more than KEPT_VIEWS / 2 views ago
      this.views.delete(v.id);
      this.views.set(v.id, v);
    }
    for (const id of this.views.keys()) {
      if (this.views.size <= KEPT_VIEWS) break;
      if (id !== this.shown && id !== this.awaiting) this.views.delete(id);
    }
    this.acked = Math.max(this.acked, s.ack);
    if (this.acked >= this.seq) {
      this.shown = s.shownId;
      this.ahead = [...s.nextIds];
      this.awaiting = undefined;
      if (this.shown !== null && !this.views.has(this.shown)) this.awaitItem(this.shown);
    } else if (this.awaiting && this.views.has(this.awaiting)) {
      this.shown = this.awaiting;
      this.awaiting = undefined;
    }
  }

  /** A decision key: bound to the item on screen, or undefined when it is dropped (notice says why). */
  decide(): Binding | undefined {
    if (this.shown === null || !this.views.has(this.shown)) {
      this.notice = 'A key was dropped: the next item had not arrived yet. Nothing was recorded for it.';
      return undefined;
    }
    if (!this.optimistic && this.inFlight > 0) {
      this.notice = 'A key was dropped: one decision per record, and the last one was still being saved.';
      return undefined;
    }
    this.notice = undefined;
    const b: Binding = { seq: ++this.seq, id: this.shown };
    if (this.optimistic) {
      const next = this.ahead.shift();
      if (next === undefined) this.awaitItem(null);
      else if (this.views.has(next)) this.shown = next;
      else this.awaitItem(next);
    }
    return b;
  }

  private awaitItem(id: string | null): void {
    this.shown = null;
    this.awaiting = id;
  }
}
