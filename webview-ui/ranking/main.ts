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
import type { Filter, PairSide, RankingMessages, RankingState } from '../../src/protocol/ranking';
import { panelChannel } from '../shared/channel';
import { fromTextField, keyHelp, partStyles, renderPart } from '../shared/parts';

const channel = panelChannel<RankingMessages>();
const send = (m: RankingMessages['fromPanel']) => channel.post(m);
const FILTERS: Filter[] = ['all', 'unlabelled', 'flagged', 'disagreements'];

class RankingApp extends LitElement {
  static override properties = { state: { state: true }, ranks: { state: true }, focusC: { state: true }, flagging: { state: true }, help: { state: true } };
  state: RankingState | null = null;
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
      const changed = this.state?.item?.index !== m.item?.index;
      this.state = m;
      if (changed || !this.ranks.length) {
        this.ranks = m.item?.candidates ? m.item.candidates.map((_, i) => m.item?.label?.ranks?.[i] ?? null) : [];
        this.focusC = 0;
        this.flagging = false;
      }
      if (m.item) channel.setState({ datasetUri: m.datasetUri, index: m.item.index });
    });
    window.addEventListener('keydown', (e) => this.onKey(e));
    send({ type: 'ready' });
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
    } else if (pair && (k === '1' || k === 'ArrowLeft')) send({ type: 'pick', side: 'left' });
    else if (pair && (k === '2' || k === 'ArrowRight')) send({ type: 'pick', side: 'right' });
    else if (pair && k === 't') send({ type: 'pick', side: 'tie' });
    else if (k === 's') send(pair ? { type: 'pick', side: 'skip' } : { type: 'go', delta: 1 });
    else if (!pair && k === 'ArrowDown') this.focusC = Math.min(this.ranks.length - 1, this.focusC + 1);
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
    send({ type: 'rank', ranks: this.ranks });
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
    const it = s.item;
    return html`
      <header>
        <h1>${s.mode === 'pair' ? 'Pairs' : 'Rankings'} · ${s.dataset}</h1>
        <span class="muted">annotator ${s.annotator}</span>
        <span id="progress-text"
          >${s.progress.labelled} / ${s.progress.total ?? 'counting…'} labelled${s.progress.flagged ? ` · ${s.progress.flagged} flagged` : ''}</span
        >
        <span id="agreement" class="muted">${s.agreement}</span>
      </header>
      <vscode-progress-bar
        .value=${s.progress.total === null ? undefined : s.progress.labelled}
        .max=${Math.max(1, s.progress.total ?? 1)}
        aria-label="labelling progress"
      ></vscode-progress-bar>
      <div class="actions filters">
        ${FILTERS.map((f) => html`<vscode-button secondary ?data-active=${s.filter === f} @click=${() => send({ type: 'filter', filter: f })}>${f}</vscode-button>`)}
        <vscode-button secondary @click=${() => send({ type: 'export' })}>Export pairs</vscode-button>
      </div>
      ${s.notice ? html`<div class="notice">${s.notice}</div>` : nothing}
      ${it ? this.renderItem(s, it) : html`<p>Nothing to show with the filter "${s.filter}".</p>`} ${this.help ? this.renderHelp(s.mode) : nothing}
    `;
  }

  private renderItem(s: RankingState, it: NonNullable<RankingState['item']>): TemplateResult {
    const choice = it.label?.choice;
    const pickedSide = (side: PairSide) => choice === side.stored;
    return html` <div class="actions">
        <span id="position">${it.position} of ${it.count ?? '…'} · line ${it.line}</span>
        ${it.changedSinceLabel ? html`<vscode-badge id="changed">changed since labelled</vscode-badge>` : nothing}
        <span id="label" class="muted"
          >${choice ? `your label: ${choice === 'chosen' || choice === 'rejected' ? `${choice === 'chosen' ? 'stored order confirmed' : 'swapped'}` : choice}${it.label?.reason ? ` (${it.label.reason})` : ''}` : it.label?.ranks ? `your ranks: ${it.label.ranks.map((r) => r ?? '–').join(', ')}` : 'not labelled'}</span
        >
      </div>
      ${it.prompt ? html`<div class="card" id="prompt">${renderPart(it.prompt)}</div>` : nothing}
      ${
        it.pair
          ? html`<div class="pair">
                ${this.renderSide(it.pair.left, 'left', pickedSide(it.pair.left))}${this.renderSide(it.pair.right, 'right', pickedSide(it.pair.right))}
              </div>
              <div class="actions">
                <vscode-button @click=${() => send({ type: 'pick', side: 'left' })}>A is better (1)</vscode-button>
                <vscode-button @click=${() => send({ type: 'pick', side: 'right' })}>B is better (2)</vscode-button>
                <vscode-button secondary @click=${() => send({ type: 'pick', side: 'tie' })}>Tie (t)</vscode-button>
                <vscode-button secondary @click=${() => send({ type: 'pick', side: 'skip' })}>Skip (s)</vscode-button>
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
                    send({ type: 'flag', reason: (e.target as HTMLInputElement).value });
                    this.flagging = false;
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
