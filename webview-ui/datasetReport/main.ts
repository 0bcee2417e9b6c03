/**
 * The Dataset Report panel: 10-bin histograms (Chart.js) of prompt, completion and total tokens with
 * the trained share, turns per record; roles, templates, over-length records, duplicates and
 * near-duplicate clusters (a line opens the record), size against the goal, distribution match.
 * Dataset text (templates, roles) is bound as text only.
 */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Title, Tooltip } from 'chart.js';
import type { DatasetReportMessages, ReportHistogram, ReportStats, ReportSummary, ToDatasetReport } from '../../src/protocol/datasetReport';
import { panelChannel } from '../shared/channel';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Title, Tooltip, Legend);

const channel = panelChannel<DatasetReportMessages>();
const n = (x: number) => x.toLocaleString('en-US');
const cssVar = (name: string, fallback: string) => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

function binLabels(h: ReportHistogram): string[] {
  return h.counts.map((_, i) => (h.edges[i + 1]! - h.edges[i]! <= 1 ? n(h.edges[i]!) : `${n(h.edges[i]!)}–${n(h.edges[i + 1]! - 1)}`));
}

class DatasetReportApp extends LitElement {
  static override properties = { view: { state: true } };
  view: ToDatasetReport | null = null;
  private charts: Chart[] = [];

  static override styles = css`
    :host {
      display: block;
      padding: 8px 16px 32px;
      font-family: var(--vscode-font-family);
      color: var(--vscode-foreground);
    }
    h1 {
      font-size: 1.3em;
      margin: 4px 0;
    }
    h2 {
      font-size: 1.05em;
      margin: 18px 0 6px;
      border-bottom: 1px solid var(--vscode-panel-border);
    }
    .muted {
      color: var(--vscode-descriptionForeground);
    }
    .charts {
      display: flex;
      flex-wrap: wrap;
      gap: 16px;
    }
    .chart {
      flex: 1 1 360px;
      min-width: 280px;
      max-width: 560px;
      height: 220px;
      position: relative;
    }
    table {
      border-collapse: collapse;
    }
    td,
    th {
      padding: 2px 10px;
      text-align: right;
    }
    th:first-child,
    td:first-child {
      text-align: left;
    }
    .warn {
      color: var(--vscode-editorWarning-foreground);
    }
    .ok {
      color: var(--vscode-testing-iconPassed, inherit);
    }
    button.line {
      background: none;
      border: none;
      color: var(--vscode-textLink-foreground);
      cursor: pointer;
      padding: 0 2px;
      font: inherit;
    }
    button.line:hover {
      text-decoration: underline;
    }
    ol {
      margin: 4px 0;
      padding-left: 24px;
    }
    .template {
      white-space: pre-wrap;
      font-family: var(--vscode-editor-font-family);
    }
  `;

  override connectedCallback(): void {
    super.connectedCallback();
    channel.onMessage((m) => {
      this.view = m;
      if (m.type === 'report') channel.setState({ path: m.path });
    });
    channel.post({ type: 'ready' });
  }

  private open(line: number): void {
    channel.post({ type: 'open', line });
  }

  private lines(ls: readonly number[]): TemplateResult {
    return html`${ls.slice(0, 30).map((l, i) => html`${i ? ', ' : ''}<button class="line" title="Open line ${l}" @click=${() => this.open(l)}>${l}</button>`)}${
      ls.length > 30 ? html` … ${ls.length - 30} more` : nothing
    }`;
  }

  private clusters(cs: readonly (readonly number[])[], what: string): TemplateResult {
    if (!cs.length) return html`<p class="muted">No ${what}.</p>`;
    return html`<ol>
        ${cs.slice(0, 100).map((c) => html`<li>lines ${this.lines(c)}</li>`)}
      </ol>
      ${cs.length > 100 ? html`<p class="muted">… ${n(cs.length - 100)} more (ftstudio stats --json lists them all)</p>` : nothing}`;
  }

  /** A line of the other file of a semantic leak (the held-out or training partner). */
  private partnerLine(l: number, file: string): TemplateResult {
    return html`<button class="line" title="Open ${file} line ${l}" @click=${() => channel.post({ type: 'open', line: l, partner: true })}>${l}</button>`;
  }

  private semantic(s: ReportStats, path: string): TemplateResult {
    const sem = s.semantic;
    if (!sem.enabled)
      return html`<h2>Semantic checks</h2>
        <p class="muted" id="semantic">${sem.message}</p>`;
    const l = sem.leakage;
    const base = (p: string) => p.split(/[\\/]/).pop() ?? p;
    const here = (p: string) => p === path;
    const side = (line: number, p: string) =>
      here(p) ? html`<button class="line" title="Open line ${line}" @click=${() => this.open(line)}>${line}</button>` : this.partnerLine(line, base(p));
    return html`<h2 id="semantic-title">
        Semantic near-duplicates (cosine ≥ ${sem.threshold}): ${sem.skipped ? 'not searched' : `${n(sem.clusters.length)} clusters`}
      </h2>
      <p class="muted" id="semantic">Embedding model ${sem.description}</p>
      <div id="semantic-clusters">${sem.skipped ? html`<p class="muted">${sem.skipped}</p>` : this.clusters(sem.clusters, 'semantic near-duplicates')}</div>
      <h2 id="semantic-leak-title">
        Semantic held-out
        leakage${l ? html`: ${l.skipped ? 'not compared' : `${n(l.leaks.length)} held-out records`} (${base(l.heldout)} into ${base(l.train)})` : nothing}
      </h2>
      <div id="semantic-leaks">
        ${
          !l
            ? html`<p class="muted">
                No held-out or training partner for this file (x.heldout.jsonl beside x.train.jsonl, valid.jsonl beside train.jsonl, or data.heldout in
                finetune.json).
              </p>`
            : l.skipped
              ? html`<p class="muted">${l.skipped}</p>`
              : l.leaks.length
                ? html`<ol>
                    ${l.leaks.slice(0, 100).map(
                      (x) =>
                        html`<li>
                          held-out line ${side(x.heldoutLine, l.heldout)} ≈ training line ${side(x.trainLine, l.train)}
                          <span class="muted">(cosine ${x.cosine.toFixed(3)})</span>
                        </li>`,
                    )}
                  </ol>`
                : html`<p class="muted">No held-out record is that close to a training record.</p>`
        }
      </div>`;
  }

  private summaryRow(label: string, s: ReportSummary): TemplateResult {
    return html`<tr>
      <td>${label}</td>
      ${[s.min, s.p50, s.p90, s.p99, s.max, s.mean].map((v) => html`<td>${n(v)}</td>`)}
    </tr>`;
  }

  override render(): TemplateResult {
    const v = this.view;
    if (!v) return html`<p class="muted"><vscode-progress-ring></vscode-progress-ring> Loading…</p>`;
    if (v.type === 'progress')
      return html`<h1>Dataset Report: ${v.file}</h1>
        <p class="muted" id="progress"><vscode-progress-ring></vscode-progress-ring> ${v.message}</p>`;
    if (v.type === 'error')
      return html`<h1>Dataset Report: ${v.file}</h1>
        <p class="warn" id="error">${v.message}</p>
        <vscode-button @click=${() => channel.post({ type: 'refresh' })}>Refresh</vscode-button>`;
    const s = v.stats;
    const t = s.tokens;
    const p = s.production;
    return html`<h1>Dataset Report: ${s.file}</h1>
      <p>
        <span id="records">${n(s.records)} records</span> · ${s.format ?? 'unknown format'} · tokens: <span id="token-source">${t.description}</span>
        ${s.skippedLines ? html` · <span class="warn">${n(s.skippedLines)} lines are not records (see the Problems panel)</span>` : nothing}
        <vscode-button secondary @click=${() => channel.post({ type: 'refresh' })}>Refresh</vscode-button>
      </p>
      <h2>Tokens</h2>
      <table id="token-table">
        <tr>
          <th></th>
          <th>min</th>
          <th>p50</th>
          <th>p90</th>
          <th>p99</th>
          <th>max</th>
          <th>mean</th>
        </tr>
        ${this.summaryRow('prompt', t.prompt)} ${this.summaryRow('completion', t.completion)} ${this.summaryRow('total', t.total)}
        ${this.summaryRow('trained', t.trained)} ${this.summaryRow('turns', s.turns)}
      </table>
      <p>
        Trained share ${(100 * t.trainedShare).toFixed(1)}% ·
        <span id="over-length" class=${s.overLength ? 'warn' : ''}>${n(s.overLength)} over maxSeqLength ${n(s.maxSeqLength)}</span>
        ${s.overLength ? html`: lines ${this.lines(s.overLengthLines)}` : nothing}
      </p>
      <div class="charts">
        <div class="chart"><canvas id="chart-prompt" aria-label="Prompt tokens"></canvas></div>
        <div class="chart"><canvas id="chart-completion" aria-label="Completion tokens"></canvas></div>
        <div class="chart"><canvas id="chart-total" aria-label="Total tokens"></canvas></div>
        <div class="chart"><canvas id="chart-turns" aria-label="Turns per record"></canvas></div>
      </div>
      <h2>Roles and templates</h2>
      <p id="roles">
        ${Object.entries(s.roles).map(([r, c], i) => html`${i ? ' · ' : ''}<span>${r}</span> ${n(c)}`)}
        ${Object.keys(s.roles).length ? nothing : html`<span class="muted">no chat turns</span>`}
      </p>
      <table id="templates">
        ${s.templates.map(
          (x) =>
            html`<tr>
              <td class="template">${x.template}…</td>
              <td>${x.system ? 'system prompt' : 'prompt'}</td>
              <td>${n(x.count)}</td>
            </tr>`,
        )}
      </table>
      <h2>Exact duplicates: ${n(s.duplicates.repeats)} repeats</h2>
      ${this.clusters(s.duplicates.groups, 'exact duplicates')}
      <h2 id="near-title">Near-duplicates (Jaccard ≥ ${s.nearDuplicates.threshold}): ${n(s.nearDuplicates.clusters.length)} clusters</h2>
      <div id="near">${this.clusters(s.nearDuplicates.clusters, 'near-duplicates')}</div>
      ${this.semantic(s, v.path)}
      <h2>Size vs goal</h2>
      <p id="goal" class=${s.goal?.standing === 'below' ? 'warn' : ''}>
        ${s.goal?.message ?? 'No goal in finetune.json: add "goal": "style" | "domain-vocabulary" | "task" | "instruction-following".'}
      </p>
      <h2>Distribution match</h2>
      <div id="production">
        ${
          p
            ? html`<table>
                  <tr>
                    <td>Prompt length (two-sample KS statistic; median ${n(p.promptLength.trainP50)} vs ${n(p.promptLength.productionP50)} tokens)</td>
                    <td class=${p.promptLength.ks > p.thresholds.ks ? 'warn' : 'ok'}>${p.promptLength.ks.toFixed(3)}</td>
                    <td class="muted">warn above ${p.thresholds.ks}</td>
                  </tr>
                  <tr>
                    <td>Production words unseen in training prompts</td>
                    <td class=${p.vocabulary.unseenShare > p.thresholds.unseenVocabulary ? 'warn' : 'ok'}>${(100 * p.vocabulary.unseenShare).toFixed(1)}%</td>
                    <td class="muted">warn above ${100 * p.thresholds.unseenVocabulary}%</td>
                  </tr>
                  <tr>
                    <td>Template / system-prompt mix (total variation distance)</td>
                    <td class=${p.templates.distance > p.thresholds.templateMix ? 'warn' : 'ok'}>${p.templates.distance.toFixed(3)}</td>
                    <td class="muted">warn above ${p.thresholds.templateMix}</td>
                  </tr>
                </table>
                <p class="muted">${p.file}: ${n(p.records)} production inputs</p>
                ${p.warnings.map((w) => html`<p class="warn">${w}</p>`)}`
            : html`<p class="muted">No data.production in finetune.json: point it at a JSONL sample of real inputs to compare with.</p>`
        }
      </div>`;
  }

  override updated(): void {
    for (const c of this.charts) c.destroy();
    this.charts = [];
    if (this.view?.type !== 'report') return;
    const s = this.view.stats;
    const color = cssVar('--vscode-charts-blue', '#3794ff');
    const second = cssVar('--vscode-charts-orange', '#d18616');
    const fg = cssVar('--vscode-foreground', '#ccc');
    const grid = cssVar('--vscode-panel-border', 'rgba(128,128,128,0.3)');
    const make = (id: string, title: string, h: ReportHistogram, withShare = false) => {
      const canvas = this.renderRoot.querySelector<HTMLCanvasElement>(`#${id}`);
      if (!canvas) return;
      const datasets: object[] = [{ type: 'bar', label: 'records', data: h.counts, backgroundColor: color, yAxisID: 'y' }];
      if (withShare && h.trainedShare)
        datasets.push({
          type: 'line',
          label: 'trained share %',
          data: h.trainedShare.map((x) => Math.round(x * 100)),
          borderColor: second,
          backgroundColor: second,
          yAxisID: 'share',
        });
      this.charts.push(
        new Chart(canvas, {
          type: 'bar',
          data: { labels: binLabels(h), datasets: datasets as never },
          options: {
            animation: false,
            maintainAspectRatio: false,
            plugins: { title: { display: true, text: title, color: fg }, legend: { display: withShare, labels: { color: fg } } },
            scales: {
              x: { ticks: { color: fg, maxRotation: 45 }, grid: { color: grid } },
              y: { beginAtZero: true, ticks: { color: fg, precision: 0 }, grid: { color: grid } },
              ...(withShare ? { share: { position: 'right', min: 0, max: 100, ticks: { color: second }, grid: { display: false } } } : {}),
            },
          },
        }),
      );
    };
    make('chart-prompt', 'Prompt tokens', s.tokens.histograms.prompt);
    make('chart-completion', 'Completion (trained) tokens', s.tokens.histograms.completion);
    make('chart-total', 'Total tokens, trained share per bin', s.tokens.histograms.total, true);
    make('chart-turns', 'Turns per record', s.turns.histogram);
  }
}

customElements.define('dataset-report-app', DatasetReportApp);
document.body.appendChild(document.createElement('dataset-report-app'));
