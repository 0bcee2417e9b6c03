/** `ftstudio`: parse arguments -> core -> print. The same engine as the editor. */
import { UsageError } from './args';
import type { Io } from './validateCommand';

// each command loads only its own modules (validate never initialises training, sampling or preference code)

const USAGE = `usage: ftstudio <command> [options]
commands:
  validate FILE...        validate JSONL datasets (ftstudio validate --help)
  sample DATASET          the review sample: [--fraction 0.05] [--seed N] [--stratify-by PATH] [--json]
  split DATASET           write DATASET.train.jsonl and DATASET.heldout.jsonl: [--fraction 0.1] [--seed N] [--stratify-by PATH] [--force] [--json]
  stats DATASET           token counts, near-duplicates, size vs goal, production match: [--config F] [--json] [--html OUT]
  review-status DATASET   the review gate: [--threshold 0.9] [--json]; exit 0 only when it passed
  pairs RANKED.jsonl      rankings -> TRL preference pairs: [--strategy all-pairs|best-vs-rest|best-vs-worst] [--out FILE]
  agreement DATASET       annotator agreement (Cohen's kappa, Krippendorff's alpha): [--json]
  train                   preflight and train: [--config finetune.json] [--force] [--json]; Ctrl+C stops;
                          --resume [RUN_DIR] continues a stopped/failed run from its last checkpoint
  tokens                  what the model learns: the first records as the trainer tokenizes them, trained tokens marked: [--config finetune.json] [--records N] [--json]
  score                   score model outputs against a golden set or a held-out metric (ftstudio score --help)
  eval                    the evaluation gates on a checkpoint, with the trainer: [--config finetune.json] [--run DIR] [--checkpoint DIR] [--json] [--junit FILE]
  setup                   the training environment in one step: [--dir DIR] [--python PY] [--json]
  codes                   list the diagnostic codes
exit status: 0 ok, 1 problems found, 2 usage or I/O problem`;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case 'validate':
        return await (await import('./validateCommand')).validateCommand(rest, io);
      case 'sample':
        return await (await import('./datasetCommands')).sampleCommand(rest, io);
      case 'split':
        return await (await import('./datasetCommands')).splitCommand(rest, io);
      case 'stats':
        return await (await import('./statsCommand')).statsCommand(rest, io);
      case 'review-status':
        return await (await import('./datasetCommands')).reviewStatusCommand(rest, io);
      case 'pairs':
        return await (await import('./preferenceCommands')).pairsCommand(rest, io);
      case 'agreement':
        return await (await import('./preferenceCommands')).agreementCommand(rest, io);
      case 'train':
        return await (await import('./trainCommand')).trainCommand(rest, io);
      case 'tokens':
        return await (await import('./tokensCommand')).tokensCommand(rest, io);
      case 'score':
        return await (await import('./scoreCommand')).scoreCommand(rest, io);
      case 'eval':
        return await (await import('./evalCommand')).evalCommand(rest, io);
      case 'setup':
        return await (await import('./setupCommand')).setupCommand(rest, io);
      case 'codes':
        io.out((await import('./validateCommand')).codesTable());
        return 0;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${cmd}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`ftstudio: ${e.message}${/needs|unknown option|must be/.test(e.message) && cmd ? ` (see ftstudio ${cmd} --help)` : ''}`);
      return 2;
    }
    io.err(`ftstudio: internal error: ${(e as Error).stack ?? String(e)}`);
    return 2;
  }
}

/** The process's entry: argv in, exit code out (dist/cli.js, through src/cli/launcher.ts; or this file run directly). */
export function runFromCommandLine(): void {
  // a reader that stops early (`ftstudio validate big.jsonl | head`) closes the pipe: stop quietly, as Unix tools do
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  const io: Io = {
    out: (s) => process.stdout.write(s + '\n'),
    err: (s) => process.stderr.write(s + '\n'),
  };
  main(process.argv.slice(2), io).then((code) => {
    // npm run bench reads the peak memory of the process this way
    if (process.env.FTSTUDIO_REPORT_RSS) {
      const u = process.resourceUsage();
      // CPU seconds too: on a shared machine they are the figure that wall time cannot give
      process.stderr.write(`maxrss_kb=${u.maxRSS} cpu_s=${((u.userCPUTime + u.systemCPUTime) / 1e6).toFixed(2)}\n`);
    }
    process.exitCode = code;
  });
}

if (require.main === module) runFromCommandLine();
