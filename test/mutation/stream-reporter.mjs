// A Stryker reporter that appends each mutant's result to reports/mutation/<tag>.results.jsonl as soon as it is
// known (Stryker's own reports are written only at the end of a run): a long run stopped early still shows
// what it had found, survivors included, while it goes.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { commonTokens, declareClassPlugin, PluginKind } from '@stryker-mutator/api/plugin';

class StreamReporter {
  static inject = [commonTokens.options];
  constructor(options) {
    this.file = options.streamReporter?.fileName ?? 'reports/mutation/results.jsonl';
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileSync(this.file, '');
  }
  onMutantTested(r) {
    if (r.status === 'Ignored') return;
    const { start } = r.location;
    appendFileSync(
      this.file,
      JSON.stringify({
        file: relative(process.cwd(), r.fileName),
        line: start.line,
        column: start.column,
        mutator: r.mutatorName,
        replacement: r.replacement,
        status: r.status,
        reason: r.statusReason,
        killedBy: r.killedBy,
      }) + '\n',
    );
  }
}

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'stream', StreamReporter)];
