/** The Run view: loss, eval loss, learning-rate and (DPO) reward charts (inline SVG), hyperparameters, preflight. */
import { LitElement, css, html, nothing, svg, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import type { Point, RunMessages, RunViewState } from '../../src/protocol/run';
import { panelChannel } from '../shared/channel';
import { partStyles } from '../shared/parts';

const channel = panelChannel<RunMessages>();

function chart(title: string, series: { name: string; points: readonly Point[]; cls: string }[], log = false, id = ''): TemplateResult {
  const all = series.flatMap((s) => s.points);
  if (!all.length)
    return html`<div class="chart" id=${id || nothing}>
      <h3>${title}</h3>
      <p class="muted">no data yet</p>
    </div>`;
  const W = 420,
    H = 160,
    P = 32;
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => (log ? Math.log10(Math.max(p[1], 1e-12)) : p[1])).filter((y) => Number.isFinite(y));
  const x0 = Math.min(...xs),
    x1 = Math.max(...xs, x0 + 1);
  let y0 = Math.min(...ys),
    y1 = Math.max(...ys);
  if (y1 - y0 < 1e-12) ((y0 -= 0.5), (y1 += 0.5));
  const sx = (x: number) => P + ((x - x0) / (x1 - x0)) * (W - P - 8);
  const sy = (y: number) => H - P + 8 - (((log ? Math.log10(Math.max(y, 1e-12)) : y) - y0) / (y1 - y0)) * (H - P);
  const fmt = (v: number) => (log ? `1e${v.toFixed(1)}` : Math.abs(v) < 0.01 ? v.toExponential(1) : v.toFixed(3));
  return html`<div class="chart" id=${id || nothing}>
    <h3>${title}</h3>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${title}>
      ${svg`<line class="axis" x1=${P} y1=${H - P + 8} x2=${W - 8} y2=${H - P + 8}></line><line class="axis" x1=${P} y1="8" x2=${P} y2=${H - P + 8}></line>
      <text x="2" y="14" class="tick">${fmt(y1)}</text><text x="2" y=${H - P + 8} class="tick">${fmt(y0)}</text>
      <text x=${P} y=${H - 4} class="tick">step ${x0}</text><text x=${W - 60} y=${H - 4} class="tick">step ${x1}</text>`}
      ${series.map(
        (s) => svg`<polyline class=${s.cls} fill="none" points=${s.points
          .filter((p) => Number.isFinite(p[1]))
          .map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
          .join(' ')}></polyline>
        ${s.points.length === 1 ? svg`<circle class=${s.cls} cx=${sx(s.points[0]![0])} cy=${sy(s.points[0]![1])} r="3"></circle>` : nothing}`,
      )}
    </svg>
    <div class="legend">
      ${series.map((s) => html`<span class="key ${s.cls}">■</span> ${s.name} ${s.points.length ? `(last ${fmt(s.points[s.points.length - 1]![1])})` : ''} `)}
    </div>
  </div>`;
}

/** DPO's rewards (β · log-ratio of policy to reference): chosen, rejected, their margin; and the share of pairs ranked right. */
function rewardCharts(rewards: RunViewState['rewards']): TemplateResult | typeof nothing {
  const of = (name: string) => rewards[name] ?? [];
  if (!Object.values(rewards).some((p) => p.length)) return nothing;
  return html`${chart(
    'DPO rewards',
    [
      { name: 'chosen', points: of('rewards/chosen'), cls: 'chosen' },
      { name: 'rejected', points: of('rewards/rejected'), cls: 'rejected' },
      { name: 'margin', points: of('rewards/margins'), cls: 'margin' },
    ],
    false,
    'rewards-chart',
  )}
  ${chart('Reward accuracy', [{ name: 'pairs with chosen > rejected', points: of('rewards/accuracies'), cls: 'accuracy' }], false, 'accuracy-chart')}`;
}

class RunApp extends LitElement {
  static override properties = { state: { state: true } };
  state: RunViewState | null = null;

  static override styles = [
    partStyles,
    css`
      .charts {
        display: flex;
        flex-wrap: wrap;
        gap: 16px;
      }
      .chart {
        flex: 1 1 380px;
        min-width: 300px;
      }
      .chart h3 {
        margin: 6px 0;
        font-size: 1em;
      }
      svg {
        width: 100%;
        height: auto;
        background: var(--vscode-editorWidget-background);
        border-radius: 4px;
      }
      .axis {
        stroke: var(--vscode-descriptionForeground);
        stroke-width: 1;
        opacity: 0.5;
      }
      .tick {
        fill: var(--vscode-descriptionForeground);
        font-size: 10px;
      }
      polyline {
        stroke-width: 2;
      }
      .train {
        stroke: var(--vscode-charts-blue, #3794ff);
        color: var(--vscode-charts-blue, #3794ff);
        fill: var(--vscode-charts-blue, #3794ff);
      }
      .eval {
        stroke: var(--vscode-charts-orange, #d18616);
        color: var(--vscode-charts-orange, #d18616);
        fill: var(--vscode-charts-orange, #d18616);
      }
      .lr {
        stroke: var(--vscode-charts-green, #89d185);
        color: var(--vscode-charts-green, #89d185);
        fill: var(--vscode-charts-green, #89d185);
      }
      .chosen {
        stroke: var(--vscode-charts-green, #89d185);
        color: var(--vscode-charts-green, #89d185);
        fill: var(--vscode-charts-green, #89d185);
      }
      .rejected {
        stroke: var(--vscode-charts-red, #f14c4c);
        color: var(--vscode-charts-red, #f14c4c);
        fill: var(--vscode-charts-red, #f14c4c);
      }
      .margin {
        stroke: var(--vscode-charts-purple, #b180d7);
        color: var(--vscode-charts-purple, #b180d7);
        fill: var(--vscode-charts-purple, #b180d7);
      }
      .accuracy {
        stroke: var(--vscode-charts-yellow, #cca700);
        color: var(--vscode-charts-yellow, #cca700);
        fill: var(--vscode-charts-yellow, #cca700);
      }
      polyline.train,
      polyline.eval,
      polyline.lr,
      polyline.chosen,
      polyline.rejected,
      polyline.margin,
      polyline.accuracy {
        fill: none;
      }
      table {
        margin-top: 8px;
      }
      td:first-child {
        color: var(--vscode-descriptionForeground);
      }
      .pass {
        color: var(--vscode-testing-iconPassed, #73c991);
      }
      .warn {
        color: var(--vscode-editorWarning-foreground);
      }
      .block {
        color: var(--vscode-errorForeground);
      }
      .error {
        color: var(--vscode-errorForeground);
      }
    `,
  ];

  override connectedCallback(): void {
    super.connectedCallback();
    channel.onMessage((m) => {
      if (m?.type !== 'run') return;
      this.state = m;
      channel.setState({ runDir: m.runDir });
    });
    channel.post({ type: 'ready' });
  }

  override render(): TemplateResult {
    const s = this.state;
    if (!s) return html`<p class="muted">Loading the run…</p>`;
    const hp = Object.entries(s.hyperparameters).filter(([, v]) => v !== undefined && v !== null);
    return html`
      <header>
        <h1>Run ${s.runId}</h1>
        <span id="run-status">${s.status}</span>
        <span id="run-steps">step ${s.step}${s.totalSteps ? ` / ${s.totalSteps}` : ''}</span>
        ${s.status === 'running' ? html`<vscode-button secondary @click=${() => channel.post({ type: 'stop' })}>Stop</vscode-button>` : nothing}
        <vscode-button secondary @click=${() => channel.post({ type: 'showLog' })}>Show log</vscode-button>
      </header>
      ${s.totalSteps ? html`<vscode-progress-bar .value=${s.step} .max=${s.totalSteps}></vscode-progress-bar>` : nothing}
      ${s.error ? html`<p class="error">${s.error}</p>` : nothing}
      <div class="charts">
        ${chart('Loss', [
          { name: 'train loss', points: s.loss, cls: 'train' },
          { name: 'eval loss', points: s.evalLoss, cls: 'eval' },
        ])}
        ${chart('Learning rate', [{ name: 'learning rate', points: s.learningRate, cls: 'lr' }])} ${rewardCharts(s.rewards)}
      </div>
      ${s.resumedAt.length ? html`<p id="run-resumed" class="muted">Resumed at step ${s.resumedAt.join(', step ')}</p>` : nothing}
      <h3>Dataset</h3>
      <p>${s.dataset}</p>
      <h3>Hyperparameters</h3>
      <table>
        ${hp.map(
          ([k, v]) =>
            html`<tr>
              <td>${k}</td>
              <td>${Array.isArray(v) ? v.join(', ') : String(v)}</td>
            </tr>`,
        )}
      </table>
      <h3>Preflight</h3>
      <table id="preflight">
        ${s.preflight.map(
          (c) =>
            html`<tr>
              <td class=${c.status}>${c.status}</td>
              <td>${c.id}</td>
              <td>${c.message}</td>
            </tr>`,
        )}
      </table>
      ${s.overrides.length ? html`<p class="warn">Overridden: ${s.overrides.join('; ')}</p>` : nothing}
    `;
  }
}

customElements.define('run-app', RunApp);
document.body.appendChild(document.createElement('run-app'));
