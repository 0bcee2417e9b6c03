/**
 * "Finetune Studio: Score Predictions Against Golden Set": `ftstudio score --golden` from the editor.
 * The golden set is the active editor's (when it is one), else finetune.json's eval.golden, else
 * one the user picks; the predictions are picked. Refusal patterns: the setting
 * finetuneStudio.eval.refusalPatterns (ignored from workspace settings in Restricted Mode) plus
 * finetune.json's eval.refusalPatterns. Reads files only; runs no program.
 */
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { refusalPatternsOf } from '../../core/eval/evalConfig';
import { EvalInputError } from '../../core/eval/evalFiles';
import { detectEvalFormat } from '../../core/formats/evalSets';
import { goldenReportLines, runGoldenScore } from '../../core/eval/goldenScore';
import { RefusalPatternError } from '../../core/eval/refusal';
import { CONFIG_FILE } from '../../core/project/projectConfig';
import { configFor } from '../workspace/config';

let channel: vscode.OutputChannel | undefined;

function goldenOfActiveEditor(): string | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc || doc.uri.scheme !== 'file' || !doc.fileName.endsWith('.jsonl')) return undefined;
  for (let i = 0; i < Math.min(doc.lineCount, 20); i++) {
    const t = doc.lineAt(i).text.trim();
    if (!t) continue;
    try {
      const v = JSON.parse(t) as unknown;
      return v && typeof v === 'object' && !Array.isArray(v) && detectEvalFormat(v as Record<string, unknown>) === 'golden' ? doc.fileName : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function goldenOfConfig(): { path?: string; config?: string } {
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    if (f.uri.scheme !== 'file') continue;
    const config = join(f.uri.fsPath, CONFIG_FILE);
    if (!existsSync(config)) continue;
    try {
      const golden = (JSON.parse(readFileSync(config, 'utf8')) as { eval?: { golden?: unknown } })?.eval?.golden;
      if (typeof golden === 'string') return { path: join(dirname(config), golden), config };
    } catch {
      // an unreadable finetune.json is reported where it is loaded; here it only offers no default
    }
    return { config };
  }
  return {};
}

async function pick(title: string, defaultUri?: vscode.Uri): Promise<string | undefined> {
  const r = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { 'JSON Lines': ['jsonl'] }, defaultUri });
  return r?.[0]?.fsPath;
}

export async function scoreGoldenCommand(): Promise<void> {
  const fromConfig = goldenOfConfig();
  const golden = goldenOfActiveEditor() ?? fromConfig.path ?? (await pick('Golden set (JSONL)'));
  if (!golden) return;
  const predictions = await pick(`Predictions for ${vscode.workspace.asRelativePath(golden)}: {"id", "output"} per line`, vscode.Uri.file(dirname(golden)));
  if (!predictions) return;
  const fromSetting = configFor(vscode.Uri.file(golden)).eval.refusalPatterns;
  const fromFile = refusalPatternsOf(fromConfig.config);
  channel ??= vscode.window.createOutputChannel('Finetune Studio: Golden Set');
  channel.clear();
  channel.appendLine(`golden set ${golden}\npredictions ${predictions}`);
  if (fromFile.problem) channel.appendLine(`warning: ${fromFile.problem}`);
  try {
    const run = runGoldenScore({
      golden,
      predictions,
      refusalPatterns: [...fromSetting, ...fromFile.patterns],
      refusalPatternsSource: 'finetuneStudio.eval.refusalPatterns / finetune.json eval.refusalPatterns',
    });
    const lines = goldenReportLines(run);
    for (const l of lines) channel.appendLine(l);
    const summary = `Finetune Studio: ${lines[lines.length - 2]} — ${lines[lines.length - 1]}.`;
    const show = run.reasons.length ? vscode.window.showWarningMessage(summary, 'Show Details') : vscode.window.showInformationMessage(summary, 'Show Details');
    if (await show) channel.show();
  } catch (e) {
    if (!(e instanceof EvalInputError || e instanceof RefusalPatternError)) throw e;
    channel.appendLine(e.message);
    const choice = await vscode.window.showErrorMessage(`Finetune Studio: cannot score: ${e.message.split('\n').slice(0, 2).join(' ')}`, 'Show Details');
    if (choice) channel.show();
  }
}
