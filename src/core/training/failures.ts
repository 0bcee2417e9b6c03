/** Why a training process failed, from its output, with what to do about it. */
export type FailureKind = 'oom' | 'missing-package' | 'model-not-found' | 'gated-model' | 'disk-full' | 'nan-loss' | 'cancelled' | 'unknown';

export interface Failure {
  readonly kind: FailureKind;
  readonly message: string;
  readonly hint: string;
}

const RULES: { kind: FailureKind; re: RegExp; hint: (m: RegExpExecArray) => string }[] = [
  {
    kind: 'oom',
    re: /CUDA out of memory|OutOfMemoryError|CUBLAS_STATUS_ALLOC_FAILED|HIP out of memory/i,
    hint: () => 'Lower training.batchSize (raise gradientAccumulation to keep the effective batch), lower maxSeqLength, or use adapter.type "qlora".',
  },
  {
    kind: 'missing-package',
    // Python's own line is "ModuleNotFoundError: No module named 'x'": the quoted name first, else the bare form
    re: /No module named '([\w.]+)'|ModuleNotFoundError: (?!No module named)([\w.]+)/,
    hint: (m) => `Install it in the training interpreter: pip install ${(m[1] ?? m[2] ?? '').split('.')[0]}`,
  },
  {
    kind: 'gated-model',
    re: /gated repo|Cannot access gated repo|Access to model .* is restricted|401 Client Error/i,
    hint: () => 'Accept the model licence on the Hugging Face hub and log in (huggingface-cli login), or use a local path.',
  },
  {
    kind: 'model-not-found',
    re: /is not a local folder and is not a valid model identifier|Repository Not Found|404 Client Error|does not appear to have a file named config\.json/i,
    hint: () => 'Check "model" in finetune.json: a hub id such as org/name, or a local folder with config.json.',
  },
  {
    kind: 'disk-full',
    re: /No space left on device|Errno 28/i,
    hint: () => 'Free disk space or point "output" to a larger disk; checkpoints need room for the adapter and optimizer state.',
  },
  {
    kind: 'nan-loss',
    re: /loss[^\n]{0,20}\bnan\b|NaN loss|nan or inf/i,
    hint: () => 'Lower training.learningRate, check the data for empty targets (ftstudio validate), or train in bf16 instead of fp16.',
  },
];

export function classifyFailure(output: string): Failure {
  const tail = output.slice(-20_000);
  for (const r of RULES) {
    const m = r.re.exec(tail);
    if (m) {
      const line = tail
        .slice(0, m.index + m[0].length)
        .split('\n')
        .pop()!
        .trim();
      const full = (line + tail.slice(m.index + m[0].length).split('\n')[0]).trim();
      return { kind: r.kind, message: full.slice(0, 300), hint: r.hint(m) };
    }
  }
  const last =
    tail
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .pop() ?? 'the trainer exited without output';
  return { kind: 'unknown', message: last.slice(0, 300), hint: 'Open the run log for the full output.' };
}
