// The ceiling: stream the file with the same reader and JSON.parse every line, nothing else.
import { forEachLineBatch } from '../src/core/jsonl/readLines';

async function main() {
  let records = 0;
  await forEachLineBatch(process.argv[2]!, (lines) => {
    for (const l of lines) {
      if (l.length === 0) continue;
      try {
        JSON.parse(l);
        records++;
      } catch {
        // counted as nothing: the ceiling does no diagnosis
      }
    }
  });
  const u = process.resourceUsage();
  process.stderr.write(`maxrss_kb=${u.maxRSS} cpu_s=${((u.userCPUTime + u.systemCPUTime) / 1e6).toFixed(2)}\n`);
  process.stdout.write(`${records}\n`);
}
void main();
