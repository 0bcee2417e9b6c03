/**
 * A chart's series, bounded: a run of 100,000 steps would otherwise send 100,000 points per series to the
 * Run view several times a second (and draw them), which starves the editor's message channel. Each of
 * `max / 2` buckets keeps its lowest and its highest point, in step order, so spikes stay visible; the
 * first and the last point are always kept.
 */
import type { Point } from '../../protocol/run';

export const CHART_POINTS = 600;

export function thinSeries(points: readonly Point[], max = CHART_POINTS): Point[] {
  if (points.length <= max) return [...points];
  const buckets = Math.max(1, Math.floor((max - 2) / 2));
  const inner = points.length - 2;
  const out: Point[] = [points[0]!];
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets);
    let lo = -1;
    let hi = -1;
    for (let i = from; i < to; i++) {
      const y = points[i]![1];
      if (!Number.isFinite(y)) continue;
      if (lo < 0 || y < points[lo]![1]) lo = i;
      if (hi < 0 || y > points[hi]![1]) hi = i;
    }
    if (lo < 0) continue;
    for (const i of lo === hi ? [lo] : [Math.min(lo, hi), Math.max(lo, hi)]) out.push(points[i]!);
  }
  out.push(points[points.length - 1]!);
  return out;
}
