/** "Create finetune.json" from the open dataset, and "Compare Runs" side by side. */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { writeFileAtomic } from '../../core/jsonl/atomicFile';
import { detectFormat } from '../../core/formats/formats';
import { CONFIG_FILE } from '../../core/project/projectConfig';
import { DEFAULT_METHOD, methodForFormat, trainerMethod, type MethodId } from '../../core/training/methods';
import { listRuns, runsDir } from '../../core/training/runRecord';
import { evalCompareRows, gateStatusText, readEvalFile } from '../../core/eval/gateReport';
import { firstFolder } from '../workspace/roots';

export async function createConfig(): Promise<void> {
  const folder = firstFolder();
  if (!folder) return void vscode.window.showWarningMessage('Finetune Studio: open a folder first.');
  const target = join(folder.uri.fsPath, CONFIG_FILE);
  if (existsSync(target)) {
    const c = await vscode.window.showWarningMessage(`${CONFIG_FILE} exists.`, { modal: true }, 'Open It');
    if (c) await vscode.window.showTextDocument(vscode.Uri.file(target));
    return;
  }
  const doc = vscode.window.activeTextEditor?.document;
  const dataset = doc?.uri.scheme === 'file' && doc.fileName.endsWith('.jsonl') ? doc.fileName : undefined;
  let method: MethodId = DEFAULT_METHOD;
  if (dataset) {
    for (let i = 0; i < Math.min(doc!.lineCount, 50); i++) {
      try {
        const f = detectFormat(JSON.parse(doc!.lineAt(i).text))?.format;
        if (f) {
          method = methodForFormat(f);
          break;
        }
      } catch {
        /* next line */
      }
    }
  }
  const rel = (p: string) => relative(folder.uri.fsPath, p) || p;
  const train = dataset
    ? existsSync(dataset.replace(/\.jsonl$/, '.train.jsonl'))
      ? dataset.replace(/\.jsonl$/, '.train.jsonl')
      : dataset
    : 'data/train.jsonl';
  const heldout = dataset ? dataset.replace(/(\.train)?\.jsonl$/, '.heldout.jsonl') : 'data/heldout.jsonl';
  const cfg = {
    method,
    model: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    data: { train: rel(train), heldout: rel(heldout) },
    adapter: { type: 'lora', r: 16, alpha: 32, dropout: 0.05, targetModules: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] },
    training: trainerMethod(method).starter,
    launcher: { type: 'python', numProcesses: 1 },
  };
  writeFileAtomic(target, JSON.stringify(cfg, null, 2) + '\n');
  await vscode.window.showTextDocument(vscode.Uri.file(target));
  void vscode.window.showInformationMessage(
    `Finetune Studio: wrote ${CONFIG_FILE} for ${method.toUpperCase()}${dataset ? ` on ${basename(train)}` : ''}. Hover any key for its meaning.`,
  );
}

export async function compareRuns(): Promise<void> {
  const folder = firstFolder();
  const runs = folder ? listRuns(folder.uri.fsPath) : [];
  if (!runs.length) return void vscode.window.showInformationMessage('Finetune Studio: no runs in .finetune/runs yet.');
  const picked = await vscode.window.showQuickPick(
    runs.map((r) => ({
      label: r.runId,
      description: `${r.status} · ${String(r.hyperparameters.method)} · ${String(r.hyperparameters.model)}`,
      detail: `loss ${r.result?.loss ?? '—'} · eval ${r.result?.evalLoss ?? '—'}${r.gates?.length ? ` · ${gateStatusText(r.gates[r.gates.length - 1], r.result?.gate)}` : ''} · ${basename(r.dataset.path)} ${r.dataset.sha256.slice(0, 10)}`,
      run: r,
    })),
    { canPickMany: true, title: 'Runs to compare' },
  );
  if (!picked?.length) return;
  const rows: [string, (r: (typeof runs)[number]) => unknown][] = [
    ['status', (r) => r.status],
    ['started', (r) => r.startedAt],
    ['method', (r) => r.hyperparameters.method],
    ['model', (r) => r.hyperparameters.model],
    ['adapter', (r) => r.hyperparameters.adapter],
    ['lora_r', (r) => r.hyperparameters.lora_r],
    ['lora_alpha', (r) => r.hyperparameters.lora_alpha],
    ['target_modules', (r) => (r.hyperparameters.target_modules as string[] | undefined)?.join(', ')],
    ['learning_rate', (r) => r.hyperparameters.learning_rate],
    ['epochs', (r) => r.hyperparameters.epochs],
    ['batch × accumulation', (r) => `${r.hyperparameters.batch_size} × ${r.hyperparameters.gradient_accumulation}`],
    ['dataset', (r) => `${basename(r.dataset.path)} (${r.dataset.records} records, sha256 ${r.dataset.sha256.slice(0, 12)})`],
    ['git', (r) => (r.git ? `${r.git.commit?.slice(0, 10) ?? '—'}${r.git.dirty ? ' (dirty)' : ''}` : '—')],
    ['overrides', (r) => (r.overrides.length ? r.overrides.join('; ') : 'none')],
    ['steps', (r) => `${r.result?.step ?? '—'}/${r.result?.totalSteps ?? '—'}`],
    ['final loss', (r) => r.result?.loss],
    ['eval loss', (r) => r.result?.evalLoss],
    ['error', (r) => (r.result?.error ? `${r.result.error.kind}: ${r.result.error.message}` : '')],
  ];
  // columns oldest to newest, whatever the order of the picks
  const sel = picked.map((p) => p.run).sort((a, b) => (a.startedAt < b.startedAt ? -1 : a.startedAt > b.startedAt ? 1 : 0));
  // the evaluation gates: per checkpoint (run.json gates[]) and the final evaluation (eval.json, ftstudio eval)
  const root = folder!.uri.fsPath;
  const problems: string[] = [];
  const evals = new Map(
    sel.map((r) => {
      const e = readEvalFile(join(runsDir(root), r.runId));
      if (e.problem) problems.push(e.problem);
      return [r, evalCompareRows(r, e.file)] as const;
    }),
  );
  // after the loss rows, before the error
  const at = rows.findIndex(([name]) => name === 'error');
  rows.splice(at, 0, ...evalCompareRows({ status: '' }).map(([name], i): (typeof rows)[number] => [name, (r) => evals.get(r)![i]![1]]));
  const cell = (v: unknown) =>
    String(v ?? '—')
      .replace(/\|/g, '\\|')
      .replace(/\n/g, ' ');
  const md = [
    `# Runs compared`,
    '',
    `| | ${sel.map((r) => r.runId).join(' | ')} |`,
    `|---|${sel.map(() => '---').join('|')}|`,
    ...rows.map(([name, f]) => `| ${name} | ${sel.map((r) => cell(f(r))).join(' | ')} |`),
    ...(problems.length ? ['', ...problems.map((p) => `- ${p}`)] : []),
  ].join('\n');
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: md + '\n' });
  await vscode.window.showTextDocument(doc);
}
