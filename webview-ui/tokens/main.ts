/**
 * Preview Training Tokens: each record as the trainer renders and tokenizes it, the trained tokens
 * highlighted, the cut at maxSeqLength marked. Dataset text is bound as text only (lit text bindings).
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import type { PreviewRecord, PreviewToken, TokenPreview, TokensMessages, TokensViewState } from '../../src/protocol/tokens';
import { panelChannel } from '../shared/channel';
import { partStyles } from '../shared/parts';

const channel = panelChannel<TokensMessages>();
const COUNTS = [5, 10, 20, 50];

/** Line breaks shown as ↵ before the break, so a trained newline is visible. */
const shown = (text: string) => text.replace(/\n/g, '↵\n');

function token(t: PreviewToken): TemplateResult | typeof nothing {
  if (!t.text) return nothing; // part of a character whose last piece carries it
  const cls = t.dropped ? 'tok dropped' : t.trained ? 'tok trained' : 'tok';
  return html`<span class=${cls} title=${`token ${t.id}${t.trained ? ' · trained' : t.dropped ? ' · dropped by truncation' : ''}`}>${shown(t.text)}</span>`;
}

function percent(a: number, b: number): string {
  return b ? `${((100 * a) / b).toFixed(1)}%` : '—';
}

class TokensApp extends LitElement {
  static override properties = { state: { state: true } };
  state: TokensViewState | null = null;

  static override styles = [
    partStyles,
    css`
      .legend {
        display: flex;
        gap: 12px;
        align-items: baseline;
        margin: 6px 0 10px;
      }
      .tokens {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        font-family: var(--vscode-editor-font-family);
        font-size: var(--vscode-editor-font-size);
        line-height: 1.6;
        margin: 6px 0 0;
        max-height: 60vh;
        overflow: auto;
      }
      .tok {
        border-radius: 2px;
        color: var(--vscode-descriptionForeground);
      }
      .tok:hover {
        outline: 1px solid var(--vscode-focusBorder);
      }
      .tok.trained {
        color: var(--vscode-editor-foreground);
        background: var(--vscode-diffEditor-insertedTextBackground, rgba(80, 200, 120, 0.3));
        box-shadow: inset 0 -2px 0 var(--vscode-charts-green, #89d185);
      }
      .tok.dropped {
        opacity: 0.45;
        text-decoration: line-through;
      }
      .cut {
        display: block;
        margin: 4px 0;
        padding: 2px 6px;
        border-top: 2px dashed var(--vscode-editorWarning-foreground, #cca700);
        color: var(--vscode-editorWarning-foreground, #cca700);
        font-family: var(--vscode-font-family);
        white-space: normal;
      }
      .rhead {
        display: flex;
        flex-wrap: wrap;
        gap: 4px 12px;
        align-items: baseline;
      }
      .badge {
        font-size: 0.85em;
        padding: 0 6px;
        border-radius: 8px;
        background: var(--vscode-badge-background);
        color: var(--vscode-badge-foreground);
      }
      .badge.warn {
        background: var(--vscode-inputValidation-warningBackground, #5a4a00);
        color: var(--vscode-foreground);
      }
      a {
        color: var(--vscode-textLink-foreground);
        cursor: pointer;
      }
      .error {
        color: var(--vscode-errorForeground);
      }
      .card.problem {
        border-color: var(--vscode-inputValidation-errorBorder, #be1100);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    channel.onMessage((m) => {
      if (m?.type !== 'loading' && m?.type !== 'preview' && m?.type !== 'error') return;
      this.state = m;
      channel.setState({ config: m.config });
    });
    channel.post({ type: 'ready' });
  }

  private refresh(records: number): void {
    channel.post({ type: 'refresh', records });
  }

  private header(s: TokensViewState): TemplateResult {
    const busy = s.type === 'loading';
    return html`<header>
        <h1>Training tokens</h1>
        <label
          >Records
          <vscode-single-select id="records" ?disabled=${busy} @change=${(e: Event) => this.refresh(Number((e.target as HTMLSelectElement).value))}
            >${COUNTS.map((n) => html`<vscode-option value=${String(n)} ?selected=${n === s.records}>${n}</vscode-option>`)}</vscode-single-select
          ></label
        >
        <vscode-button id="refresh" secondary ?disabled=${busy} @click=${() => this.refresh(s.records)}>Refresh</vscode-button>
        <vscode-button secondary @click=${() => channel.post({ type: 'openConfig' })}>Open finetune.json</vscode-button>
      </header>
      <p class="muted">Interpreter ${s.interpreter}</p>`;
  }

  private record(r: PreviewRecord, p: TokenPreview): TemplateResult {
    const kept = r.tokens.filter((t) => !t.dropped);
    const dropped = r.tokens.filter((t) => t.dropped);
    const more = r.length - r.total;
    const cutText =
      `✂ cut at maxSeqLength ${p.maxSeqLength}: ${more} more tokens dropped` +
      (r.droppedTrained ? `, ${r.droppedTrained} of them would be trained` : '') +
      (dropped.length < more ? ` (the first ${dropped.length} shown)` : '');
    // no whitespace between the parts: .tokens keeps white space as it is
    const cut = r.truncated ? html`<span class="cut">${cutText}</span>${dropped.map(token)}` : nothing;
    return html`<div class="card record" data-line=${r.line} data-part=${r.part ?? ''}>
      <div class="rhead">
        <a class="line" @click=${() => channel.post({ type: 'openLine', line: r.line })}>line ${r.line}</a>
        ${r.part ? html`<span class="badge">${r.part}</span>` : nothing}
        <span class="counts">${r.trained} of ${r.total} tokens trained (${percent(r.trained, r.total)})</span>
        ${r.truncated ? html`<span class="badge warn">truncated: ${r.length} tokens, maxSeqLength ${p.maxSeqLength}</span>` : nothing}
        ${r.skipped ? html`<span class="badge warn">skipped by the trainer: nothing left to train</span>` : nothing}
      </div>
      <div class="tokens">${kept.map(token)}${cut}</div>
    </div>`;
  }

  private preview(s: Extract<TokensViewState, { type: 'preview' }>): TemplateResult {
    const p = s.preview;
    const trained = p.records.reduce((a, r) => a + r.trained, 0);
    const total = p.records.reduce((a, r) => a + r.total, 0);
    const lines = new Set(p.records.map((r) => r.line)).size;
    const truncated = p.records.filter((r) => r.truncated).length;
    const skipped = new Set(p.records.filter((r) => r.skipped).map((r) => r.line)).size;
    const template = p.template === 'plain' ? "the trainer's plain template (the tokenizer has no chat template)" : "the tokenizer's chat template";
    return html`
      <p id="summary">
        ${lines} record${lines === 1 ? '' : 's'} of ${p.file} · ${p.method} · ${p.model} · ${template} · maxSeqLength ${p.maxSeqLength}<br />
        <strong>${trained} of ${total} tokens trained (${percent(trained, total)})</strong>${truncated ? ` · ${truncated} truncated` : ''}${
          skipped ? ` · ${skipped} skipped` : ''
        }
      </p>
      ${s.note ? html`<p class="notice">${s.note}</p>` : nothing}
      <div class="legend">
        <span class="tok trained">trained: the loss is computed on these</span><span class="tok">context: seen, not trained</span
        ><span class="tok dropped">dropped by truncation</span>
      </div>
      ${p.records.map((r) => this.record(r, p))}
      ${
        p.error
          ? html`<div class="card problem" id="record-error">
              <p class="error">${p.error.message}</p>
              <p>${p.error.hint ?? ''}</p>
              ${
                p.error.line !== null
                  ? html`<vscode-button secondary @click=${() => channel.post({ type: 'openLine', line: p.error!.line! })}
                      >Open line ${p.error.line}</vscode-button
                    >`
                  : nothing
              }
            </div>`
          : nothing
      }
    `;
  }

  override render(): TemplateResult {
    const s = this.state;
    if (!s) return html`<p class="muted">Loading…</p>`;
    if (s.type === 'loading')
      return html`${this.header(s)}
        <p class="muted" id="loading"><vscode-progress-ring></vscode-progress-ring> Running the trainer's tokenizer on the first ${s.records} records…</p>`;
    if (s.type === 'error')
      return html`${this.header(s)}
        <div class="card problem" id="error">
          <p class="error">${s.message}</p>
          <p>${s.hint}</p>
          <div class="actions">
            ${s.line !== null ? html`<vscode-button @click=${() => channel.post({ type: 'openLine', line: s.line! })}>Open line ${s.line}</vscode-button>` : nothing}
            ${s.setup ? html`<vscode-button @click=${() => channel.post({ type: 'setup' })}>Set Up Training Environment</vscode-button>` : nothing}
          </div>
        </div>`;
    return html`${this.header(s)}${this.preview(s)}`;
  }
}

customElements.define('tokens-app', TokensApp);
document.body.appendChild(document.createElement('tokens-app'));
