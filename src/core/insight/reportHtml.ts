/**
 * The Dataset Report as one self-contained HTML file (`ftstudio stats --html`): no script, no
 * outside resource (a CSP that forbids both), charts as inline SVG, every dataset string escaped.
 */
import { basename } from 'node:path';
import type { DatasetStats, Histogram, Summary } from './stats';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const n = (x: number) => x.toLocaleString('en-US');

function bars(title: string, h: Histogram): string {
  const W = 360,
    H = 120,
    max = Math.max(1, ...h.counts);
  const w = W / h.counts.length;
  const rects = h.counts
    .map((c, i) => {
      const bh = (c / max) * (H - 20);
      const share = h.trainedShare ? ` (${Math.round(100 * h.trainedShare[i]!)}% trained)` : '';
      return `<rect x="${(i * w + 1).toFixed(1)}" y="${(H - 14 - bh).toFixed(1)}" width="${(w - 2).toFixed(1)}" height="${bh.toFixed(1)}"><title>${n(h.edges[i]!)}–${n(h.edges[i + 1]!)}: ${n(c)}${share}</title></rect>`;
    })
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${rects}<text x="0" y="${H - 2}">${n(h.edges[0]!)}</text><text x="${W}" y="${H - 2}" text-anchor="end">${n(h.edges[h.edges.length - 1]!)}</text></svg></figure>`;
}

const row = (k: string, s: Summary) => `<tr><th>${esc(k)}</th>${[s.min, s.p50, s.p90, s.p99, s.max, s.mean].map((v) => `<td>${n(v)}</td>`).join('')}</tr>`;

function semanticHtml(s: DatasetStats, clusters: (c: readonly (readonly number[])[]) => string): string {
  const sem = s.semantic;
  if (!sem.enabled) return `<h2>Semantic checks</h2><p>${esc(sem.message)}</p>`;
  const l = sem.leakage;
  const leakage = !l
    ? '<p>No held-out or training partner for this file.</p>'
    : `<p>${esc(basename(l.heldout))} into ${esc(basename(l.train))}: ${esc(l.skipped ?? `${n(l.leaks.length)} held-out records`)}</p>${
        l.leaks.length
          ? `<ol>${l.leaks
              .slice(0, 200)
              .map((x) => `<li>held-out line ${x.heldoutLine} ~ training line ${x.trainLine} (cosine ${x.cosine.toFixed(3)})</li>`)
              .join('')}</ol>`
          : ''
      }`;
  return `<h2>Semantic near-duplicates (${esc(sem.description)}): ${esc(sem.skipped ?? `${n(sem.clusters.length)} clusters`)}</h2>${sem.skipped ? '' : clusters(sem.clusters)}
<h2>Semantic leakage</h2>${leakage}`;
}

export function reportHtml(s: DatasetStats): string {
  const t = s.tokens;
  const clusters = (c: readonly (readonly number[])[]) =>
    c.length
      ? `<ol>${c
          .slice(0, 200)
          .map((g) => `<li>lines ${g.join(', ')}</li>`)
          .join('')}</ol>${c.length > 200 ? `<p>… ${n(c.length - 200)} more</p>` : ''}`
      : '<p>none</p>';
  const p = s.production;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Dataset Report: ${esc(s.file)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{padding:2px 8px;text-align:right}th{text-align:left}
figure{display:inline-block;margin:8px}svg{width:360px;height:120px;background:#f4f4f4}rect{fill:#3b7dd8}text{font-size:10px}.warn{color:#a15c00}</style>
</head><body>
<h1>Dataset Report: ${esc(s.file)}</h1>
<p>${n(s.records)} records · ${esc(s.format ?? 'unknown format')} · tokens: ${esc(t.description)}</p>
<h2>Tokens</h2>
<table><tr><th></th><th>min</th><th>p50</th><th>p90</th><th>p99</th><th>max</th><th>mean</th></tr>${row('total', t.total)}${row('prompt', t.prompt)}${row('completion', t.completion)}${row('trained', t.trained)}${row('turns', s.turns)}</table>
<p>Trained share ${(100 * t.trainedShare).toFixed(1)}% · over maxSeqLength ${n(s.maxSeqLength)}: ${n(s.overLength)}</p>
${bars('Prompt tokens', t.histograms.prompt)}${bars('Completion tokens', t.histograms.completion)}${bars('Total tokens (trained share per bin)', t.histograms.total)}${bars('Turns per record', s.turns.histogram)}
<h2>Roles and templates</h2>
<p>${Object.entries(s.roles)
    .map(([r, c]) => `${esc(r)} ${n(c)}`)
    .join(' · ')}</p>
<ol>${s.templates.map((x) => `<li>${esc(x.template)}…${x.system ? ' (system prompt)' : ''}: ${n(x.count)}</li>`).join('')}</ol>
<h2>Exact duplicates: ${n(s.duplicates.repeats)} repeats</h2>${clusters(s.duplicates.groups)}
<h2>Near-duplicates (Jaccard ≥ ${s.nearDuplicates.threshold}): ${n(s.nearDuplicates.clusters.length)} clusters</h2>${clusters(s.nearDuplicates.clusters)}
${semanticHtml(s, clusters)}
<h2>Size vs goal</h2><p>${esc(s.goal?.message ?? 'No goal in finetune.json.')}</p>
<h2>Distribution match</h2>${
    p
      ? `<p>${esc(p.file)}: ${n(p.records)} inputs · prompt length KS ${p.promptLength.ks.toFixed(3)} · unseen vocabulary ${(100 * p.vocabulary.unseenShare).toFixed(1)}% · template mix distance ${p.templates.distance.toFixed(3)}</p>${p.warnings.map((w) => `<p class="warn">${esc(w)}</p>`).join('')}`
      : '<p>No data.production in finetune.json.</p>'
  }
</body></html>
`;
}
