/**
 * The Eval view: a run's evaluation gates. Golden pass rate and held-out score per checkpoint (the stop
 * and the best checkpoint marked, the level that stops the run dashed), the checkpoint table, and for
 * one checkpoint (or eval.json) the golden items — base and adapter outputs side by side with the
 * failing assertions — and the safety table. Outputs are model text: bound as text only.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import type { EvalDetail, EvalItemRow, EvalMessages, EvalViewState } from '../../src/protocol/eval';
import { panelChannel } from '../shared/channel';
import { chart, chartStyles } from '../shared/chart';
import { partStyles } from '../shared/parts';

const channel = panelChannel<EvalMessages>();

const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '—' : `${Math.round(x * 1000) / 10}%`);
const pts = (d: number) => `${d > 0 ? '+' : d < 0 ? '−' : ''}${Math.abs(Math.round(d * 10) / 10).toFixed(1)}`;

class EvalApp extends LitElement {
  static override properties = { state: { state: true }, failingOnly: { state: true } };
  state: EvalViewState | null = null;
  failingOnly = false;

  static override styles = [
    partStyles,
    chartStyles,
    css`
      .chart {
        max-width: 640px;
      }
      table {
        border-collapse: collapse;
        margin: 6px 0 12px;
      }
      th,
      td {
        text-align: left;
        padding: 3px 10px 3px 0;
        vertical-align: top;
      }
      th {
        color: var(--vscode-descriptionForeground);
        font-weight: normal;
      }
      tr.selectable {
        cursor: pointer;
      }
      tr.selected td {
        background: var(--vscode-list-activeSelectionBackground);
        color: var(--vscode-list-activeSelectionForeground);
      }
      .pass {
        color: var(--vscode-testing-iconPassed, #73c991);
      }
      .fail,
      .error {
        color: var(--vscode-errorForeground);
      }
      .warn {
        color: var(--vscode-editorWarning-foreground);
      }
      .banner {
        border-left: 3px solid var(--vscode-errorForeground);
        padding: 6px 10px;
        margin: 8px 0 12px;
        background: var(--vscode-inputValidation-errorBackground, transparent);
      }
      .badge {
        display: inline-block;
        border-radius: 3px;
        padding: 0 5px;
        margin-left: 6px;
        font-size: 0.85em;
        border: 1px solid currentColor;
      }
      .item {
        border: 1px solid var(--vscode-panel-border, #444);
        border-radius: 4px;
        padding: 8px 10px;
        margin-bottom: 10px;
      }
      .item h4 {
        margin: 0 0 4px;
        font-size: 1em;
      }
      .sides {
        display: grid;
        grid-template-columns: 1fr 1fr;
        gap: 10px;
      }
      .out {
        white-space: pre-wrap;
        overflow-wrap: anywhere;
        font-family: var(--vscode-editor-font-family);
        font-size: var(--vscode-editor-font-size);
        background: var(--vscode-textCodeBlock-background, rgba(127, 127, 127, 0.1));
        padding: 6px;
        border-radius: 3px;
        min-height: 1.4em;
      }
      ul.failures {
        margin: 4px 0 6px;
        padding-left: 18px;
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    channel.onMessage((m) => {
      if (m?.type !== 'eval') return;
      this.state = m;
      channel.setState({ runDir: m.runDir, selected: m.detail?.key });
    });
    channel.post({ type: 'ready' });
  }

  private select(key: string): void {
    channel.post({ type: 'select', key });
  }

  override render(): TemplateResult {
    const s = this.state;
    if (!s) return html`<p class="muted">Loading the run's evaluation…</p>`;
    const rows = s.checkpoints;
    const markers = [
      ...(s.best?.step != null ? [{ x: s.best.step, label: `best ${s.best.checkpoint}`, cls: 'best' }] : []),
      ...(s.stop?.step != null ? [{ x: s.stop.step, label: 'stopped', cls: 'stop' }] : []),
    ];
    const golden = rows.filter((r) => r.passRate !== null).map((r) => [r.step, r.passRate! * 100] as const);
    // the level each checkpoint was judged against, as steps from the checkpoint before it
    const limit = rows.flatMap((r, i) =>
      r.stopBelow === null || i === 0 ? [] : [[rows[i - 1]!.step, r.stopBelow * 100] as const, [r.step, r.stopBelow * 100] as const],
    );
    const heldout = rows.filter((r) => r.heldout !== null).map((r) => [r.step, r.heldout!] as const);
    const sourceKeys = new Set(s.sources.map((x) => x.key));
    return html`
      <header>
        <h1>Eval ${s.runId}</h1>
        <span id="eval-status" class=${s.status === 'stopped-by-gate' ? 'fail' : nothing}>${s.status}</span>
        ${s.live ? html`<span class="muted">live</span>` : nothing}
        <vscode-button secondary @click=${() => channel.post({ type: 'openRunView' })}>Run view</vscode-button>
        ${
          s.sources.some((x) => x.key === 'eval.json')
            ? html`<vscode-button secondary @click=${() => channel.post({ type: 'openEvalJson' })}>Open eval.json</vscode-button>`
            : nothing
        }
      </header>
      ${
        s.stop
          ? html`<div class="banner" id="eval-stop">
              <strong>Stopped by the evaluation gate${s.stop.step !== null ? ` at step ${s.stop.step}` : ''}:</strong> ${s.stop.reason}
              ${s.stop.bestCheckpoint ? html`<br />Best checkpoint: <strong>${s.stop.bestCheckpoint}</strong>` : nothing}
            </div>`
          : nothing
      }
      ${s.problems.map((p) => html`<p class="warn">${p}</p>`)}
      ${
        !rows.length && !s.sources.length
          ? html`<p class="muted" id="eval-empty">
              No gate results yet. The bundled trainer runs the gates at every checkpoint when finetune.json has an "eval" block (golden, heldout, safety);
              "ftstudio eval" writes eval.json for a finished run.
            </p>`
          : nothing
      }
      ${
        rows.length
          ? html`<div class="charts">
              ${chart(
                'Golden pass rate (%)',
                [
                  { name: 'golden pass rate', points: golden, cls: 'golden', dots: true },
                  ...(limit.length ? [{ name: `stops below (best − ${s.thresholds.maxDropPoints} pts)`, points: limit, cls: 'limit', dashed: true }] : []),
                ],
                { yRange: [0, 100], format: (v) => `${Math.round(v)}%`, markers, id: 'golden-chart' },
              )}
              ${chart(`Held-out ${s.heldoutMetric ?? 'metric'}`, [{ name: s.heldoutMetric ?? 'held-out', points: heldout, cls: 'heldout', dots: true }], {
                markers: markers.filter((m) => m.cls === 'stop'),
                id: 'heldout-chart',
              })}
            </div>`
          : nothing
      }
      ${rows.length || s.sources.length ? this.table(s, sourceKeys) : nothing} ${s.detail ? this.detail(s.detail) : nothing}
    `;
  }

  private table(s: EvalViewState, sources: Set<string>): TemplateResult {
    const sel = s.detail?.key;
    const row = (key: string, cells: TemplateResult) =>
      html`<tr
        class="${sources.has(key) ? 'selectable' : ''} ${sel === key ? 'selected' : ''}"
        data-key=${key}
        @click=${() => sources.has(key) && this.select(key)}
      >
        ${cells}
      </tr>`;
    return html`<h3>Checkpoints</h3>
      <table id="checkpoints">
        <tr>
          <th>checkpoint</th>
          <th>step</th>
          <th>golden</th>
          <th>held-out</th>
          <th>flipped</th>
          <th>gate</th>
        </tr>
        ${s.checkpoints.map((r) =>
          row(
            r.key,
            html`<td>${r.checkpoint}${s.best?.checkpoint === r.checkpoint ? html`<span class="badge pass">best</span>` : nothing}</td>
              <td>${r.step}</td>
              <td>${r.passRate === null ? '—' : `${pct(r.passRate)} (${r.passed}/${r.total})`}</td>
              <td>${r.heldout === null ? '—' : r.heldout.toFixed(3)}</td>
              <td>${r.flipped.join(', ') || '—'}</td>
              <td class=${r.decision === 'stop' ? 'fail' : 'pass'}>${r.decision === 'stop' ? '✗ stop' : '✓'}</td>`,
          ),
        )}
        ${s.sources.filter((x) => x.key === 'eval.json').map((x) => row(x.key, html`<td colspan="6">${x.label}</td>`))}
      </table>
      ${s.sources.length > 1 ? html`<p class="muted">Click a checkpoint to see its items.</p>` : nothing}`;
  }

  private detail(d: EvalDetail): TemplateResult {
    const items = this.failingOnly ? d.items.filter((i) => !i.passed) : d.items;
    return html`<h2 id="detail-title">${d.label}</h2>
      ${
        d.reasons.length
          ? html`<ul class="fail">
              ${d.reasons.map((r) => html`<li>${r}</li>`)}
            </ul>`
          : nothing
      }
      ${
        d.golden
          ? html`<h3>Golden set: ${d.golden.passed}/${d.golden.total} passed (${pct(d.golden.passRate)})</h3>
              ${
                d.items.length
                  ? html`<vscode-checkbox
                        .checked=${this.failingOnly}
                        @change=${() => (this.failingOnly = !this.failingOnly)}
                        label="Failing items only"
                      ></vscode-checkbox>
                      <div id="items">${items.map((i) => this.item(i))}</div>`
                  : html`<p class="muted">The gate did not record the items' outputs at this checkpoint.</p>`
              }`
          : nothing
      }
      ${d.heldout ? html`<p>Held-out ${d.heldout.metric}: <strong>${d.heldout.score.toFixed(3)}</strong> (n ${d.heldout.n})</p>` : nothing}
      ${
        d.safety.length
          ? html`<h3>Safety against the base model${d.safetyTotal !== null ? ` (${d.safetyTotal} items)` : ''}</h3>
              <table id="safety">
                <tr>
                  <th></th>
                  <th>adapter</th>
                  <th>base</th>
                  <th>Δ points</th>
                  <th>threshold</th>
                  <th></th>
                </tr>
                ${d.safety.map(
                  (r) =>
                    html`<tr>
                      <td>${r.measure}</td>
                      <td>${pct(r.adapter)}</td>
                      <td>${pct(r.base)}</td>
                      <td class=${r.fails ? 'fail' : nothing}>${pts(r.deltaPoints)}</td>
                      <td>${r.thresholdPoints === null ? '—' : `+${r.thresholdPoints}`}</td>
                      <td class=${r.fails ? 'fail' : 'pass'}>${r.fails ? '✗ over the threshold' : '✓'}</td>
                    </tr>`,
                )}
              </table>
              ${
                d.safetyItems.some((i) => i.adapterWrong)
                  ? html`<p>The adapter got wrong:</p>
                      <ul id="safety-items">
                        ${d.safetyItems
                          .filter((i) => i.adapterWrong)
                          .map(
                            (i) =>
                              html`<li>
                                ${i.id}: should ${i.expect}, ${i.adapterRefused ? 'refused' : 'complied'} (base ${i.baseRefused ? 'refused' : 'complied'})
                              </li>`,
                          )}
                      </ul>`
                  : nothing
              }`
          : nothing
      }`;
  }

  private item(i: EvalItemRow): TemplateResult {
    return html`<div class="item" data-id=${i.id}>
      <h4>
        ${i.id}<span class="badge ${i.passed ? 'pass' : 'fail'}">${i.passed ? 'pass' : 'fail'}</span>
        ${i.mustPass ? html`<span class="badge warn">mustPass</span>` : nothing} ${i.flipped ? html`<span class="badge fail">flipped</span>` : nothing}
      </h4>
      ${
        i.failures.length
          ? html`<ul class="failures fail">
              ${i.failures.map((f) => html`<li><strong>${f.type}</strong>: ${f.message}</li>`)}
            </ul>`
          : nothing
      }
      <div class="sides">
        <div>
          <div class="muted">Base (adapter off)</div>
          <div class="out base" dir="auto">${i.baseOutput ?? html`<span class="muted">not generated</span>`}</div>
        </div>
        <div>
          <div class="muted">Adapter</div>
          <div class="out adapter" dir="auto">${i.output ?? html`<span class="muted">not recorded</span>`}</div>
        </div>
      </div>
    </div>`;
  }
}

customElements.define('eval-app', EvalApp);
document.body.appendChild(document.createElement('eval-app'));
