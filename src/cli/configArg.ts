// finetune.json for the commands that train or run the trainer (kept out of args.ts, which every command loads)
import { ConfigError, loadConfig, type TrainingConfig } from '../core/training/config';
import { UsageError } from './args';

/** finetune.json for a command: a problem in it is a usage error (exit 2) naming the file. */
export function loadConfigOrUsage(path: string): TrainingConfig {
  try {
    return loadConfig(path);
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}
