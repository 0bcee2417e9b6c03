/**
 * Which Python runs the bundled trainer: the one place that decides it, for the editor and the CLI.
 *   1. "python" in finetune.json (a path with a slash is relative to the file's folder; ~ is the home folder)
 *   2. finetuneStudio.training.python from the user's settings (editor only; application scope)
 *   3. the interpreter the Python extension (ms-python.python) has selected for the folder (editor only)
 *   4. the managed environment made by `ftstudio setup` / "Set Up Training Environment", once complete
 *   5. python3 on PATH
 * Never a workspace-scoped setting: finetune.json is part of the project the person chose to trust, and
 * the Python extension guards its own selection.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { readyPython } from './environment';

export type InterpreterSource = 'finetune.json' | 'user-setting' | 'python-extension' | 'managed-environment' | 'default';

export interface ResolvedInterpreter {
  readonly python: string;
  readonly source: InterpreterSource;
}

export interface InterpreterInputs {
  /** "python" from finetune.json */
  readonly configPython?: string;
  /** finetune.json's folder */
  readonly configDir: string;
  /** finetuneStudio.training.python, from the user's settings only (never a workspace's) */
  readonly userSetting?: string;
  /** the Python extension's selection; undefined when there is none (or no extension) */
  readonly selected?: () => Promise<string | undefined>;
  /** managed environment folders, first match wins */
  readonly managedDirs: readonly string[];
}

export async function resolveInterpreter(i: InterpreterInputs): Promise<ResolvedInterpreter> {
  const c = i.configPython?.trim();
  if (c) {
    const expanded = c === '~' || c.startsWith('~/') ? join(homedir(), c.slice(1)) : c;
    return { python: expanded.includes('/') ? resolve(i.configDir, expanded) : expanded, source: 'finetune.json' };
  }
  const u = i.userSetting?.trim();
  if (u) {
    const expanded = u === '~' || u.startsWith('~/') ? join(homedir(), u.slice(1)) : u;
    return { python: expanded, source: 'user-setting' };
  }
  const selected = await i.selected?.().catch(() => undefined);
  if (selected) return { python: selected, source: 'python-extension' };
  for (const dir of i.managedDirs) {
    const py = readyPython(dir);
    if (py) return { python: py, source: 'managed-environment' };
  }
  return { python: 'python3', source: 'default' };
}

/** One line for a person: which interpreter, and why that one. */
export function describeInterpreter(r: ResolvedInterpreter): string {
  const why = {
    'finetune.json': '"python" in finetune.json',
    'user-setting': 'finetuneStudio.training.python in your user settings',
    'python-extension': "the Python extension's selected interpreter",
    'managed-environment': 'the managed training environment',
    default: 'python3 on PATH',
  }[r.source];
  return `${r.python} (${why})`;
}
