/** Line charts as inline SVG (no script, no external resource), shared by the Run and Eval views. */
import { css, html, nothing, svg, type TemplateResult } from 'lit';
import type { Point } from '../../src/protocol/run';

export interface ChartSeries {
  readonly name: string;
  readonly points: readonly Point[];
  readonly cls: string;
  /** drawn dashed, left out of the legend's "last" figure */
  readonly dashed?: boolean;
  /** a dot at every point (checkpoints); else only a lone point gets one */
  readonly dots?: boolean;
}

export interface ChartOptions {
  readonly log?: boolean;
  /** a fixed y range (e.g. 0..100 for percentages); else the data's */
  readonly yRange?: readonly [number, number];
  readonly format?: (v: number) => string;
  /** vertical markers: a stop, a best checkpoint */
  readonly markers?: readonly { readonly x: number; readonly label: string; readonly cls: string }[];
  readonly id?: string;
}

export function chart(title: string, series: readonly ChartSeries[], o: ChartOptions = {}): TemplateResult {
  const log = o.log ?? false;
  const all = series.flatMap((s) => s.points);
  if (!all.length)
    return html`<div class="chart" id=${o.id ?? nothing}>
      <h3>${title}</h3>
      <p class="muted">no data yet</p>
    </div>`;
  const W = 420,
    H = 160,
    P = 32;
  const xs = [...all.map((p) => p[0]), ...(o.markers ?? []).map((m) => m.x)];
  const ys = all.map((p) => (log ? Math.log10(Math.max(p[1], 1e-12)) : p[1])).filter((y) => Number.isFinite(y));
  const x0 = Math.min(...xs),
    x1 = Math.max(...xs, x0 + 1);
  let [y0, y1] = o.yRange ?? [Math.min(...ys), Math.max(...ys)];
  if (y1 - y0 < 1e-12) ((y0 -= 0.5), (y1 += 0.5));
  const sx = (x: number) => P + ((x - x0) / (x1 - x0)) * (W - P - 8);
  const sy = (y: number) => H - P + 8 - (((log ? Math.log10(Math.max(y, 1e-12)) : y) - y0) / (y1 - y0)) * (H - P);
  const fmt = o.format ?? ((v: number) => (log ? `1e${v.toFixed(1)}` : Math.abs(v) < 0.01 ? v.toExponential(1) : v.toFixed(3)));
  return html`<div class="chart" id=${o.id ?? nothing}>
    <h3>${title}</h3>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${title}>
      ${svg`<line class="axis" x1=${P} y1=${H - P + 8} x2=${W - 8} y2=${H - P + 8}></line><line class="axis" x1=${P} y1="8" x2=${P} y2=${H - P + 8}></line>
      <text x="2" y="14" class="tick">${fmt(y1)}</text><text x="2" y=${H - P + 8} class="tick">${fmt(y0)}</text>
      <text x=${P} y=${H - 4} class="tick">step ${x0}</text><text x=${W - 60} y=${H - 4} class="tick">step ${x1}</text>`}
      ${(o.markers ?? []).map((m, i) => {
        // a label near the right edge goes to the left of its line; labels stack downwards
        const x = sx(m.x),
          left = x > W - 100;
        return svg`<line class="marker ${m.cls}" x1=${x} y1="8" x2=${x} y2=${H - P + 8}></line><text class="marker-label ${m.cls}" x=${left ? x - 3 : x + 3} y=${18 + 12 * i} text-anchor=${left ? 'end' : 'start'}>${m.label}</text>`;
      })}
      ${series.map(
        (s) => svg`<polyline class="${s.cls}${s.dashed ? ' dashed' : ''}" fill="none" points=${s.points
          .filter((p) => Number.isFinite(p[1]))
          .map((p) => `${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`)
          .join(' ')}></polyline>
        ${s.dots || s.points.length === 1 ? s.points.filter((p) => Number.isFinite(p[1])).map((p) => svg`<circle class=${s.cls} cx=${sx(p[0])} cy=${sy(p[1])} r="3"></circle>`) : nothing}`,
      )}
    </svg>
    <div class="legend">
      ${series.map((s) => {
        // one text run: "train loss (last 0.693)", as a reader (and a test) takes it from the legend
        const label = !s.dashed && s.points.length ? `${s.name} (last ${fmt(s.points[s.points.length - 1]![1])})` : s.name;
        return html`<span class="key ${s.cls}">${s.dashed ? '┄' : '■'}</span> ${label} `;
      })}
    </div>
  </div>`;
}

export const chartStyles = css`
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
  polyline.dashed {
    stroke-width: 1;
    stroke-dasharray: 4 3;
  }
  .marker {
    stroke-width: 1.5;
    stroke-dasharray: 2 2;
  }
  .marker-label {
    font-size: 10px;
    stroke: none;
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
  .golden {
    stroke: var(--vscode-charts-blue, #3794ff);
    color: var(--vscode-charts-blue, #3794ff);
    fill: var(--vscode-charts-blue, #3794ff);
  }
  .heldout {
    stroke: var(--vscode-charts-purple, #b180d7);
    color: var(--vscode-charts-purple, #b180d7);
    fill: var(--vscode-charts-purple, #b180d7);
  }
  .limit {
    stroke: var(--vscode-charts-red, #f14c4c);
    color: var(--vscode-charts-red, #f14c4c);
    fill: var(--vscode-charts-red, #f14c4c);
  }
  .stop {
    stroke: var(--vscode-errorForeground, #f14c4c);
    fill: var(--vscode-errorForeground, #f14c4c);
  }
  .best {
    stroke: var(--vscode-testing-iconPassed, #73c991);
    fill: var(--vscode-testing-iconPassed, #73c991);
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
  polyline.golden,
  polyline.heldout,
  polyline.limit,
  polyline.chosen,
  polyline.rejected,
  polyline.margin,
  polyline.accuracy {
    fill: none;
  }
`;
