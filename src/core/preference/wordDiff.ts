/** Word-level diff of two responses (LCS over words and whitespace), for side-by-side highlighting. */
import type { Segment } from '../../protocol/ranking';

export type { Segment };

const MAX_TOKENS = 3000;

export function wordDiff(a: string, b: string): { left: Segment[]; right: Segment[] } {
  const ta = a.split(/(\s+)/).filter((t) => t !== '');
  const tb = b.split(/(\s+)/).filter((t) => t !== '');
  if (ta.length > MAX_TOKENS || tb.length > MAX_TOKENS) {
    // too long to diff interactively: show both whole, unmarked
    return { left: [{ text: a, op: 'same' }], right: [{ text: b, op: 'same' }] };
  }
  const n = ta.length,
    m = tb.length;
  const dp = new Uint16Array((n + 1) * (m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      dp[i * (m + 1) + j] = ta[i] === tb[j] ? dp[(i + 1) * (m + 1) + j + 1]! + 1 : Math.max(dp[(i + 1) * (m + 1) + j]!, dp[i * (m + 1) + j + 1]!);
    }
  }
  const left: Segment[] = [];
  const right: Segment[] = [];
  const push = (side: Segment[], text: string, op: Segment['op']) => {
    const last = side[side.length - 1];
    if (last && last.op === op) side[side.length - 1] = { text: last.text + text, op };
    else side.push({ text, op });
  };
  let i = 0,
    j = 0;
  while (i < n && j < m) {
    if (ta[i] === tb[j]) {
      push(left, ta[i]!, 'same');
      push(right, tb[j]!, 'same');
      i++;
      j++;
    } else if (dp[(i + 1) * (m + 1) + j]! >= dp[i * (m + 1) + j + 1]!) push(left, ta[i++]!, 'only');
    else push(right, tb[j++]!, 'only');
  }
  while (i < n) push(left, ta[i++]!, 'only');
  while (j < m) push(right, tb[j++]!, 'only');
  return { left, right };
}
