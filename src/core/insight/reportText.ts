/** The Dataset Report as plain text (`ftstudio stats` without --json). */
import { basename } from 'node:path';
import type { DatasetStats, Summary } from './stats';

const n = (x: number) => x.toLocaleString('en-US');
const sum = (s: Summary) => `min ${n(s.min)} · p50 ${n(s.p50)} · p90 ${n(s.p90)} · p99 ${n(s.p99)} · max ${n(s.max)} · mean ${n(s.mean)}`;
const lines = (c: readonly (readonly number[])[], max = 10) =>
  c
    .slice(0, max)
    .map((g) => `  lines ${g.join(', ')}`)
    .join('\n') + (c.length > max ? `\n  … ${c.length - max} more` : '');

export function statsText(s: DatasetStats): string {
  const out = [
    `${s.file}: ${n(s.records)} records, ${s.format ?? 'unknown format'}${s.skippedLines ? ` (${n(s.skippedLines)} lines not records: see ftstudio validate)` : ''}`,
    `tokens (${s.tokens.description})`,
    `  total       ${sum(s.tokens.total)}`,
    `  prompt      ${sum(s.tokens.prompt)}`,
    `  completion  ${sum(s.tokens.completion)}`,
    `  trained share ${(100 * s.tokens.trainedShare).toFixed(1)}%`,
    `over maxSeqLength ${n(s.maxSeqLength)}: ${n(s.overLength)} records${s.overLengthLines.length ? ` (lines ${s.overLengthLines.slice(0, 10).join(', ')}${s.overLength > 10 ? ', …' : ''})` : ''}`,
    `turns: ${sum(s.turns)}`,
    `roles: ${
      Object.entries(s.roles)
        .map(([r, c]) => `${r} ${n(c)}`)
        .join(', ') || 'none'
    }`,
    `templates: ${s.templates.length ? s.templates.map((t) => `"${t.template}…"${t.system ? ' (system)' : ''} ${n(t.count)}`).join('; ') : 'none'}`,
    `exact duplicates: ${n(s.duplicates.repeats)} repeats in ${n(s.duplicates.groups.length)} groups`,
  ];
  if (s.duplicates.groups.length) out.push(lines(s.duplicates.groups));
  out.push(
    `near-duplicates (Jaccard ≥ ${s.nearDuplicates.threshold}, ${s.nearDuplicates.bands} bands × ${s.nearDuplicates.rows} rows): ${n(s.nearDuplicates.clusters.length)} clusters, ${n(s.nearDuplicates.records)} records`,
  );
  if (s.nearDuplicates.clusters.length) out.push(lines(s.nearDuplicates.clusters));
  const sem = s.semantic;
  if (!sem.enabled) out.push(sem.message);
  else {
    out.push(`semantic near-duplicates (${sem.description}): ${sem.skipped ?? `${n(sem.clusters.length)} clusters`}`);
    if (sem.clusters.length) out.push(lines(sem.clusters));
    const l = sem.leakage;
    if (!l) out.push('semantic leakage: no held-out or training partner for this file');
    else {
      out.push(`semantic leakage (${basename(l.heldout)} into ${basename(l.train)}): ${l.skipped ?? `${n(l.leaks.length)} held-out records`}`);
      for (const x of l.leaks.slice(0, 10)) out.push(`  held-out line ${x.heldoutLine} ~ training line ${x.trainLine} (cosine ${x.cosine.toFixed(3)})`);
      if (l.leaks.length > 10) out.push(`  … ${l.leaks.length - 10} more`);
    }
  }
  out.push(s.goal ? `size vs goal: ${s.goal.message}` : 'size vs goal: no goal in finetune.json (style, domain-vocabulary, task, instruction-following)');
  if (s.production) {
    const p = s.production;
    out.push(
      `production match (${p.file}, ${n(p.records)} inputs): prompt length KS ${p.promptLength.ks.toFixed(3)} (warn > ${p.thresholds.ks}), unseen vocabulary ${(100 * p.vocabulary.unseenShare).toFixed(1)}% (warn > ${100 * p.thresholds.unseenVocabulary}%), template mix distance ${p.templates.distance.toFixed(3)} (warn > ${p.thresholds.templateMix})`,
    );
    for (const w of p.warnings) out.push(`  warning: ${w}`);
  } else out.push('production match: no data.production in finetune.json');
  return out.join('\n');
}
