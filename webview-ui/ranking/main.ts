/**
 * The ranking panel. Pair mode: the prompt on top, two responses side by side with their word-level
 * differences marked, sides randomised per record by the host. Ranking mode: N candidates ranked with
 * number keys or by dragging; ties and top-k rankings allowed. Keyboard-first, dataset text as text only.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { Filter, ItemStatus, ItemView, PairSide, RankingMessages, RankingState, ShownOrder } from '../../src/protocol/ranking';
import { panelChannel } from '../shared/channel';
import { DecisionQueue } from '../shared/decisionQueue';
import { count, fromTextField, indexingText, keyHelp, partStyles, renderPart } from '../shared/parts';

type Message = RankingMessages['fromPanel'];
type Unsequenced<T> = T extends unknown ? Omit<T, 'seq'> : never;
const channel = panelChannel<RankingMessages>();
/** the items on screen, bound to every decision key; the next ones show at once */
const queue = new DecisionQueue<ItemView>(true);
/** navigation, filters, undo: no item of their own */
const send = (m: Unsequenced<Exclude<Message, { id: string }>>) => channel.post({ ...m, seq: queue.message() } as Message);
const FILTERS: Filter[] = ['all', 'unlabelled', 'flagged', 'disagreements'];

class RankingApp extends LitElement {
  static override properties = {
    state: { state: true },
    shown: { state: true },
    ranks: { state: true },
    focusC: { state: true },
    flagging: { state: true },
    help: { state: true },
  };
  state: RankingState | null = null;
  /** the id on screen (mirrors queue.shown, so that lit renders when it changes) */
  shown: string | null = null;
  /** where each item known stands (its position, its label) */
  private statuses = new Map<string, ItemStatus>();
  ranks: (number | null)[] = [];
  focusC = 0;
  flagging = false;
  help = false;
  private dragFrom = -1;

  static override styles = [
    partStyles,
    css`
      .only {
        background: var(--vscode-diffEditor-insertedTextBackground, rgba(155, 185, 85, 0.25));
        border-radius: 2px;
      }
      .side {
        border: 1px solid var(--vscode-panel-border, #444);
        border-radius: 4px;
        padding: 8px 10px;
      }
      .side.picked {
        outline: 2px solid var(--vscode-focusBorder);
      }
      .side h3 {
        margin: 0 0 6px;
        font-size: 0.95em;
      }
      .filters {
        display: flex;
        gap: 6px;
        flex-wrap: wrap;
      }
      .filters vscode-button[data-active] {
        outline: 1px solid var(--vscode-focusBorder);
      }
      .cand {
        display: flex;
        gap: 10px;
        align-items: flex-start;
        border: 1px solid var(--vscode-panel-border, #444);
        border-radius: 4px;
        padding: 6px 10px;
        margin: 6px 0;
        cursor: grab;
      }
      .cand.focused {
        outline: 2px solid var(--vscode-focusBorder);
      }
      .rank {
        min-width: 2.2em;
        font-weight: 700;
        font-size: 1.2em;
        text-align: center;
      }
      .cand-body {
        flex: 1;
        min-width: 0;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    channel.onMessage((m) => {
      if (m?.type !== 'state') return;
      this.statuses = new Map([...(m.item ? [m.item] : []), ...m.next].map((x) => [x.id, x]));
      queue.onState({ ack: m.ack, shownId: m.item?.id ?? null, nextIds: m.next.map((x) => x.id), views: m.views });
      this.state = m;
      this.showQueued();
      if (m.item && m.filter === 'all') channel.setState({ datasetUri: m.datasetUri, index: m.item.position - 1 });
    });
    window.addEventListener('keydown', (e) => this.onKey(e));
    send({ type: 'ready' });
  }

  /** Show what the queue has on screen; a new item gets fresh ranks. */
  private showQueued(): void {
    if (this.shown === queue.shown && this.ranks.length) return;
    const changed = this.shown !== queue.shown;
    this.shown = queue.shown;
    const v = queue.view;
    if (changed || !this.ranks.length) {
      const label = this.shown ? this.statuses.get(this.shown)?.label : undefined;
      this.ranks = v?.candidates ? v.candidates.map((_, i) => label?.ranks?.[i] ?? null) : [];
      this.focusC = 0;
      this.flagging = false;
    }
  }

  /** A decision on the item on screen: sent bound to its id, or dropped (the notice says so). */
  private decide(make: (id: string, view: ItemView) => Unsequenced<Extract<Message, { id: string }>>): void {
    const view = queue.view;
    const b = queue.decide();
    if (b && view) channel.post({ ...make(b.id, view), seq: b.seq } as Message);
    this.showQueued();
    this.requestUpdate();
  }

  private pick(side: 'left' | 'right' | 'tie' | 'skip'): void {
    this.decide((id, v) => ({ type: 'pick', id, side, shown: [v.pair?.left.stored ?? 'chosen', v.pair?.right.stored ?? 'rejected'] as unknown as ShownOrder }));
  }

  private onKey(e: KeyboardEvent): void {
    if (fromTextField(e)) {
      if (e.key === 'Escape') this.flagging = false;
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey || !this.state) return;
    const k = e.key;
    const pair = this.state.mode === 'pair';
    if (k === '?') this.help = !this.help;
    else if (k === 'Escape') this.help = false;
    else if (k === 'j') send({ type: 'go', delta: 1 });
    else if (k === 'k') send({ type: 'go', delta: -1 });
    else if (k === 'u') send({ type: 'undo' });
    else if (k === 'e') send({ type: 'showInEditor' });
    else if (k === 'f') {
      this.flagging = true;
      void this.updateComplete.then(() => (this.renderRoot.querySelector('#flag-reason') as HTMLElement | null)?.focus());
    } else if (pair && (k === '1' || k === 'ArrowLeft')) this.pick('left');
    else if (pair && (k === '2' || k === 'ArrowRight')) this.pick('right');
    else if (pair && k === 't') this.pick('tie');
    else if (k === 's') {
      if (pair) this.pick('skip');
      else send({ type: 'go', delta: 1 });
    } else if (!pair && k === 'ArrowDown') this.focusC = Math.min(this.ranks.length - 1, this.focusC + 1);
    else if (!pair && k === 'ArrowUp') this.focusC = Math.max(0, this.focusC - 1);
    else if (!pair && /^[0-9]$/.test(k)) {
      const next = [...this.ranks];
      next[this.focusC] = k === '0' ? null : Number(k);
      this.ranks = next;
      this.focusC = Math.min(this.ranks.length - 1, this.focusC + 1);
    } else if (!pair && k === 'Enter') this.submitRanks();
    else return;
    e.preventDefault();
  }

  private submitRanks(): void {
    if (this.ranks.every((r) => r === null)) return;
    const ranks = this.ranks;
    this.decide((id) => ({ type: 'rank', id, ranks }));
  }

  private drop(to: number): void {
    if (this.dragFrom < 0 || this.dragFrom === to) return;
    // dragging orders the candidates: ranks follow the new order, 1 = top
    const order = this.ranks.map((_, i) => i).sort((a, b) => (this.ranks[a] ?? 99) - (this.ranks[b] ?? 99) || a - b);
    const from = order.indexOf(this.dragFrom);
    const target = order.indexOf(to);
    order.splice(target, 0, ...order.splice(from, 1));
    const next = [...this.ranks];
    order.forEach((c, pos) => (next[c] = pos + 1));
    this.ranks = next;
    this.dragFrom = -1;
  }

  private renderSide(side: PairSide, name: string, picked: boolean): TemplateResult {
    return html`<div class="side ${picked ? 'picked' : ''}" data-stored=${side.stored} id=${name}>
      <h3>${name === 'left' ? '1 · Response A' : '2 · Response B'}</h3>
      ${
        side.segments
          ? html`<div class="text" dir="auto">${side.segments.map((s) => (s.op === 'only' ? html`<span class="only">${s.text}</span>` : s.text))}</div>`
          : side.part
            ? renderPart(side.part)
            : nothing
      }
    </div>`;
  }

  override render(): TemplateResult {
    const s = this.state;
    if (!s) return html`<p class="muted">Loading…</p>`;
    const view = queue.view;
    const status = view && this.statuses.get(view.id);
    const total = s.progress.total;
    return html`
      <header>
        <h1>${s.mode === 'pair' ? 'Pairs' : 'Rankings'} · ${s.dataset}</h1>
        <span class="muted">annotator ${s.annotator}</span>
        <span id="progress-text"
          >${total === null ? `${count(s.progress.labelled)} labelled` : `${count(s.progress.labelled)} / ${count(total)} labelled`}${
            s.progress.flagged ? ` · ${count(s.progress.flagged)} flagged` : ''
          }${s.indexing === null ? '' : ` · ${indexingText(s.indexing)}`}</span
        >
        <span id="agreement" class="muted">${s.agreement}</span>
      </header>
      <vscode-progress-bar
        .value=${total === null ? undefined : s.progress.labelled}
        .max=${Math.max(1, total ?? 1)}
        aria-label="labelling progress"
      ></vscode-progress-bar>
      <div class="actions filters">
        ${FILTERS.map((f) => html`<vscode-button secondary ?data-active=${s.filter === f} @click=${() => send({ type: 'filter', filter: f })}>${f}</vscode-button>`)}
        <vscode-button secondary @click=${() => send({ type: 'export' })}>Export pairs</vscode-button>
      </div>
      ${queue.notice ? html`<div class="notice" id="key-notice">${queue.notice}</div>` : nothing}
      ${s.notice ? html`<div class="notice" id="notice">${s.notice}</div>` : nothing}
      ${
        view
          ? this.renderItem(s, view, status)
          : queue.waiting
            ? html`<p class="muted" id="loading-next">Loading the next item…</p>`
            : s.indexing !== null
              ? html`<p class="muted" id="indexing">${indexingText(s.indexing)}</p>`
              : html`<p>Nothing to show with the filter "${s.filter}".</p>`
      }
      ${this.help ? this.renderHelp(s.mode) : nothing}
    `;
  }

  private renderItem(s: RankingState, it: ItemView, st: ItemStatus | undefined): TemplateResult {
    const choice = st?.label?.choice;
    const pickedSide = (side: PairSide) => choice === side.stored;
    const label = st?.label;
    const countText = s.count === null ? '…' : count(s.count);
    return html` <div class="actions" id="item" data-id=${it.id}>
        <span id="position">${st ? count(st.position) : '…'} of ${countText} · line ${count(it.line)}</span>
        ${st?.changedSinceLabel ? html`<vscode-badge id="changed">changed since labelled</vscode-badge>` : nothing}
        <span id="label" class="muted"
          >${choice ? `your label: ${choice === 'chosen' || choice === 'rejected' ? `${choice === 'chosen' ? 'stored order confirmed' : 'swapped'}` : choice}${label?.reason ? ` (${label.reason})` : ''}` : label?.ranks ? `your ranks: ${label.ranks.map((r) => r ?? '–').join(', ')}` : 'not labelled'}</span
        >
      </div>
      ${it.prompt ? html`<div class="card" id="prompt">${renderPart(it.prompt)}</div>` : nothing}
      ${
        it.pair
          ? html`<div class="pair">
                ${this.renderSide(it.pair.left, 'left', pickedSide(it.pair.left))}${this.renderSide(it.pair.right, 'right', pickedSide(it.pair.right))}
              </div>
              <div class="actions">
                <vscode-button @click=${() => this.pick('left')}>A is better (1)</vscode-button>
                <vscode-button @click=${() => this.pick('right')}>B is better (2)</vscode-button>
                <vscode-button secondary @click=${() => this.pick('tie')}>Tie (t)</vscode-button>
                <vscode-button secondary @click=${() => this.pick('skip')}>Skip (s)</vscode-button>
                <vscode-button secondary @click=${() => (this.flagging = true)}>Flag (f)</vscode-button>
                <vscode-button secondary @click=${() => send({ type: 'undo' })}>Undo (u)</vscode-button>
              </div>`
          : html`<div id="candidates">
                ${(it.candidates ?? []).map(
                  (c, i) =>
                    html`<div
                      class="cand ${this.focusC === i ? 'focused' : ''}"
                      draggable="true"
                      data-index=${i}
                      @click=${() => (this.focusC = i)}
                      @dragstart=${() => (this.dragFrom = i)}
                      @dragover=${(e: DragEvent) => e.preventDefault()}
                      @drop=${() => this.drop(i)}
                    >
                      <div class="rank" title="rank">${this.ranks[i] ?? '–'}</div>
                      <div class="cand-body">${renderPart(c)}</div>
                    </div>`,
                )}
              </div>
              <div class="actions">
                <vscode-button id="save-ranks" @click=${() => this.submitRanks()}>Save ranking (Enter)</vscode-button>
                <span class="muted">↑/↓ choose a candidate, 1–9 give it a rank (equal numbers tie, 0 clears), or drag</span>
              </div>`
      }
      ${
        this.flagging
          ? html`<div class="actions">
              <vscode-textfield
                id="flag-reason"
                placeholder="Why flag this item? Enter to save, Esc to cancel"
                @keydown=${(e: KeyboardEvent) => {
                  if (e.key === 'Enter') {
                    const reason = (e.target as HTMLInputElement).value;
                    this.flagging = false;
                    this.decide((id) => ({ type: 'flag', id, reason }));
                  }
                }}
              ></vscode-textfield>
            </div>`
          : nothing
      }
      <p class="muted">? for keys · ${s.mode === 'pair' ? 'sides are shuffled per record against position bias' : 'ties and partial rankings are fine'}</p>`;
  }

  private renderHelp(mode: 'pair' | 'ranking'): TemplateResult {
    const rows: [string, string][] =
      mode === 'pair'
        ? [
            ['1 / ←', 'A is better'],
            ['2 / →', 'B is better'],
            ['t', 'tie'],
            ['s', 'skip'],
            ['f', 'flag with a reason'],
            ['u', 'undo'],
            ['j / k', 'next / previous'],
            ['e', 'show in editor'],
            ['?', 'this help'],
          ]
        : [
            ['↑ / ↓', 'choose a candidate'],
            ['1–9', 'give it a rank'],
            ['0', 'clear its rank'],
            ['Enter', 'save the ranking'],
            ['s / j', 'next'],
            ['k', 'previous'],
            ['f', 'flag'],
            ['u', 'undo'],
            ['?', 'this help'],
          ];
    return keyHelp(rows);
  }
}

customElements.define('ranking-app', RankingApp);
document.body.appendChild(document.createElement('ranking-app'));
