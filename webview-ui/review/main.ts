/**
 * The review panel: one sampled record at a time, Pass / Fail with reasons and a note, keyboard-first.
 * Dataset text is only ever bound as text (lit escapes it): markdown, code and HTML stay inert.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { ReviewMessages, ToReview } from '../../src/protocol/review';
import { REASONS, type Reason } from '../../src/protocol/reasons';
import { panelChannel } from '../shared/channel';
import { DecisionQueue } from '../shared/decisionQueue';
import { count, fromTextField, indexingText, keyHelp, partStyles, renderPart } from '../shared/parts';

type Message = ReviewMessages['fromPanel'];
type Unsequenced<T> = T extends unknown ? Omit<T, 'seq'> : never;
const channel = panelChannel<ReviewMessages>();
/** one decision per record: keys wait until the extension has answered and the panel moved on */
const queue = new DecisionQueue<{ readonly id: string }>(false);
const send = (m: Unsequenced<Exclude<Message, { type: 'decide' }>>) => channel.post({ ...m, seq: queue.message() } as Message);

const REASON_LABELS: Record<Reason, string> = {
  wrong: 'Wrong',
  'low-quality': 'Low quality',
  'off-format': 'Off-format',
  unsafe: 'Unsafe',
  pii: 'PII',
  other: 'Other',
};

class ReviewApp extends LitElement {
  static override properties = { state: { state: true }, reasons: { state: true }, note: { state: true }, help: { state: true } };
  state: ToReview | null = null;
  reasons = new Set<Reason>();
  note = '';
  help = false;

  static override styles = [
    partStyles,
    css`
      .gate-passed {
        color: var(--vscode-testing-iconPassed, #73c991);
      }
      .gate-failed {
        color: var(--vscode-errorForeground);
      }
      .reasons {
        display: flex;
        flex-wrap: wrap;
        gap: 12px;
        margin: 8px 0;
      }
      .decided-pass {
        color: var(--vscode-testing-iconPassed, #73c991);
        font-weight: 600;
      }
      .decided-fail {
        color: var(--vscode-errorForeground);
        font-weight: 600;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    channel.onMessage((m) => {
      if (m?.type !== 'state') return;
      const id = m.record && !m.record.missing ? m.record.id : null;
      queue.onState({ ack: m.ack, shownId: id, nextIds: [], views: id ? [{ id }] : [] });
      const sameRecord = this.state?.record?.id === m.record?.id;
      this.state = m;
      if (!sameRecord) {
        this.reasons = new Set(m.record?.decision?.reasons ?? []);
        this.note = m.record?.decision?.note ?? '';
      }
      if (m.record) channel.setState({ datasetUri: m.datasetUri, index: m.record.index });
    });
    window.addEventListener('keydown', (e) => this.onKey(e));
    send({ type: 'ready' });
  }

  private get index(): number {
    return this.state?.record?.index ?? 0;
  }

  private go(delta: number): void {
    if (!this.state?.progress.sampled) return;
    send({ type: 'go', delta });
  }

  /** A decision on the record on screen, bound to its id; dropped (with a notice) while the last one is being saved. */
  private decide(decision: 'pass' | 'fail'): void {
    if (!this.state?.record || this.state.record.missing) return;
    const b = queue.decide();
    this.requestUpdate();
    if (!b) return;
    channel.post({ type: 'decide', seq: b.seq, id: b.id, decision, reasons: decision === 'fail' ? [...this.reasons] : [], note: this.note });
  }

  private onKey(e: KeyboardEvent): void {
    if (fromTextField(e)) {
      if (e.key === 'Escape') (e.composedPath()[0] as HTMLElement).blur();
      return;
    }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const k = e.key;
    const reasonKey = '123456'.indexOf(k);
    if (reasonKey >= 0) {
      this.toggleReason(REASONS[reasonKey]!);
    } else if (k === 'p') this.decide('pass');
    else if (k === 'f') this.decide('fail');
    else if (k === 'ArrowRight' || k === 'j') this.go(1);
    else if (k === 'ArrowLeft' || k === 'k') this.go(-1);
    else if (k === 'u') send({ type: 'undo' });
    else if (k === 'e') send({ type: 'showInEditor', id: this.state?.record?.id ?? null });
    else if (k === 'n') {
      e.preventDefault();
      (this.renderRoot.querySelector('vscode-textarea') as HTMLElement | null)?.focus();
      return;
    } else if (k === '?') this.help = !this.help;
    else if (k === 'Escape') this.help = false;
    else return;
    e.preventDefault();
  }

  private toggleReason(r: Reason): void {
    const next = new Set(this.reasons);
    if (next.has(r)) next.delete(r);
    else next.add(r);
    this.reasons = next;
  }

  override render(): TemplateResult {
    const s = this.state;
    if (!s) return html`<p class="muted">Loading the sample…</p>`;
    if (s.indexing !== null && !s.record)
      return html`<header>
          <h1>Review · ${s.dataset}</h1>
          <span id="progress-text">${indexingText(s.indexing)}</span>
        </header>
        <vscode-progress-bar .value=${Math.round(s.indexing * 100)} .max=${100} aria-label="indexing"></vscode-progress-bar>
        <p class="muted" id="indexing">Reading the file to draw or find the sample: ${indexingText(s.indexing)}</p>`;
    const p = s.progress;
    const r = s.record;
    const rate = p.passRate === null ? '—' : `${(p.passRate * 100).toFixed(0)}%`;
    // "+" while a new sample is drawn as the file streams past (the count so far)
    const progressText = `${count(p.reviewed)} / ${count(p.sampled)}${s.sizeKnown ? '' : '+'} reviewed · pass rate ${rate}${s.indexing !== null ? ` · ${indexingText(s.indexing)}` : ''}`;
    return html`
      <header>
        <h1>Review · ${s.dataset}</h1>
        <span class="muted">reviewer ${s.reviewer} · seed ${s.seed}</span>
        <span id="progress-text">${progressText}</span>
        <span id="gate" class="gate-${p.gate}">gate: ${p.gate} (≥ ${Math.round(p.threshold * 100)}%)</span>
      </header>
      <vscode-progress-bar .value=${p.reviewed} .max=${Math.max(1, p.sampled)} aria-label="review progress"></vscode-progress-bar>
      ${queue.notice ? html`<div class="notice" id="key-notice">${queue.notice}</div>` : nothing}
      ${s.notice ? html`<div class="notice" id="notice">${s.notice}</div>` : nothing}
      ${r ? this.renderRecord(r) : html`<p>The sample is empty: the file has no records.</p>`} ${this.help ? this.renderHelp() : nothing}
    `;
  }

  private renderRecord(r: NonNullable<ToReview['record']>): TemplateResult {
    const d = r.decision;
    return html` <div class="actions">
        <vscode-button secondary @click=${() => this.go(-1)} title="Previous (k / ←)">‹ Prev</vscode-button>
        <span id="position" data-id=${r.id ?? ''}
          >Record ${count(r.index + 1)} of
          ${count(this.state!.progress.sampled)}${this.state!.sizeKnown ? '' : '+'}${r.line ? html` · line ${count(r.line)}` : nothing}</span
        >
        <vscode-button secondary @click=${() => this.go(1)} title="Next (j / →)">Next ›</vscode-button>
        <vscode-button secondary @click=${() => send({ type: 'showInEditor', id: r.id })} title="Show in editor (e)">Show in editor</vscode-button>
        ${r.changedSinceReview ? html`<vscode-badge id="changed">changed since review</vscode-badge>` : nothing}
        ${d ? html`<span id="decision" class="decided-${d.decision}">${d.decision === 'pass' ? 'Passed' : `Failed${d.reasons.length ? `: ${d.reasons.join(', ')}` : ''}`}</span>` : html`<span id="decision" class="muted">not reviewed</span>`}
      </div>
      <div class="card" id="record">
        ${r.missing ? html`<p class="notice">This sampled record is no longer in the file.</p>` : r.parts.map((p) => renderPart(p))}
      </div>
      <div class="reasons" role="group" aria-label="Fail reasons">
        ${REASONS.map((reason, i) => html`<vscode-checkbox .checked=${this.reasons.has(reason)} @change=${() => this.toggleReason(reason)} label="${i + 1} ${REASON_LABELS[reason]}"></vscode-checkbox>`)}
      </div>
      <vscode-textarea
        placeholder="Note (n)"
        .value=${this.note}
        @input=${(e: Event) => (this.note = (e.target as HTMLTextAreaElement).value)}
        rows="2"
        style="width: 100%"
      ></vscode-textarea>
      <div class="actions">
        <vscode-button id="pass" @click=${() => this.decide('pass')} ?disabled=${r.missing}>Pass (p)</vscode-button>
        <vscode-button id="fail" secondary @click=${() => this.decide('fail')} ?disabled=${r.missing}>Fail (f)</vscode-button>
        <vscode-button secondary @click=${() => send({ type: 'undo' })}>Undo (u)</vscode-button>
        <span class="muted">? for keys</span>
      </div>`;
  }

  private renderHelp(): TemplateResult {
    const rows: [string, string][] = [
      ['p', 'pass'],
      ['f', 'fail (with the ticked reasons)'],
      ['1–6', 'tick a reason: wrong, low quality, off-format, unsafe, PII, other'],
      ['j / →', 'next record'],
      ['k / ←', 'previous record'],
      ['u', 'undo your last decision'],
      ['n', 'write a note (Esc leaves it)'],
      ['e', 'show the record in the editor'],
      ['?', 'this help (Esc closes)'],
    ];
    return keyHelp(rows);
  }
}

customElements.define('review-app', ReviewApp);
document.body.appendChild(document.createElement('review-app'));
