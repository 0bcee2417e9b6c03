// npm run example:model — the tiny example model in examples/models/tiny, from the examples' data, with the
// bundled trainer's builder (python -m ftstudio_trainer.tiny). The interpreter: $FTSTUDIO_PYTHON, else the
// training environment `ftstudio setup` made (~/.cache/finetune-studio/venv), else python3. No download.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const managed = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'finetune-studio', 'venv', 'bin', 'python');
const python = process.env.FTSTUDIO_PYTHON || (existsSync(managed) ? managed : 'python3');
const out = process.argv[2] ?? join(root, 'examples', 'models', 'tiny');
const examples = join(root, 'examples');
const datasets = readdirSync(examples)
  .filter((f) => f.endsWith('.jsonl'))
  .map((f) => join(examples, f));
console.error(`example:model: ${python} -m ftstudio_trainer.tiny ${out}`);
const r = spawnSync(python, ['-m', 'ftstudio_trainer.tiny', out, ...datasets], {
  stdio: 'inherit',
  env: { ...process.env, PYTHONPATH: [join(root, 'trainer'), process.env.PYTHONPATH].filter(Boolean).join(':') },
});
if (r.error) {
  console.error(
    `example:model: could not run ${python}: ${r.error.message}. Run \`ftstudio setup\` (or set FTSTUDIO_PYTHON to a Python with torch and transformers).`,
  );
  process.exit(2);
}
process.exit(r.status ?? 1);
