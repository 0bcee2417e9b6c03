/** The Run view: loss, eval loss, learning-rate and (DPO) reward charts (inline SVG), hyperparameters, preflight. */
import { LitElement, css, html, nothing, type TemplateResult } from 'lit';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import type { RunMessages, RunViewState } from '../../src/protocol/run';
import { panelChannel } from '../shared/channel';
import { chart, chartStyles } from '../shared/chart';
import { partStyles } from '../shared/parts';

const channel = panelChannel<RunMessages>();

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
    { id: 'rewards-chart' },
  )}
  ${chart('Reward accuracy', [{ name: 'pairs with chosen > rejected', points: of('rewards/accuracies'), cls: 'accuracy' }], { id: 'accuracy-chart' })}`;
}

class RunApp extends LitElement {
  static override properties = { state: { state: true } };
  state: RunViewState | null = null;

  static override styles = [
    partStyles,
    chartStyles,
    css`
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
      ${
        s.gate
          ? html`<p id="run-gate" class=${s.gate.stopped ? 'error' : 'pass'} title=${s.gate.lines.join('\n')}>
              ${s.gate.text}${s.gate.stopped && s.gate.lines.length ? html` — ${s.gate.lines[0]}` : nothing}
              <vscode-button secondary @click=${() => channel.post({ type: 'openEval' })}>Eval view</vscode-button>
            </p>`
          : nothing
      }
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
