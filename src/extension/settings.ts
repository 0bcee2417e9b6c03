/**
 * Validation settings of a document: VS Code settings (resource scope) and finetune.json in the
 * workspace folder, which overrides the format and the maximum sequence length. In Restricted Mode
 * no user JSON Schema is compiled (ajv generates code from it).
 */
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import type { FormatId } from '../core/formats/formats';
import type { PlainOptions } from '../core/parallel/options';
import { CONFIG_FILE, isEvaluationSet, readValidationConfig, type ValidationConfig } from '../core/project/projectConfig';
import { datasetInfoFor } from '../core/formats/llamaFactory';

export interface DocSettings {
  readonly enabled: boolean;
  readonly options: PlainOptions;
  readonly cap: number;
  /** what the user should know about how this file is validated (shown in the status tooltip) */
  readonly notes: readonly string[];
  /** identity of the settings: a change means every open dataset is validated again */
  readonly key: string;
}

const configCache = new Map<string, ValidationConfig | null>();

export function forgetProjectConfigs(): void {
  configCache.clear();
}

function projectConfig(folder: vscode.WorkspaceFolder | undefined): ValidationConfig | undefined {
  if (!folder || folder.uri.scheme !== 'file') return undefined;
  const path = join(folder.uri.fsPath, CONFIG_FILE);
  if (!configCache.has(path)) {
    let cfg: ValidationConfig | null = null;
    try {
      readFileSync(path);
      cfg = readValidationConfig(path);
    } catch {
      cfg = null;
    }
    configCache.set(path, cfg);
  }
  return configCache.get(path) ?? undefined;
}

/**
 * In Restricted Mode VS Code withholds the workspace value of a restricted setting altogether (not
 * even inspect() shows it), so look at the folder's settings file to tell the user why it is ignored.
 */
function workspaceSetsSchema(folder: vscode.WorkspaceFolder | undefined): boolean {
  if (!folder || folder.uri.scheme !== 'file') return false;
  try {
    return readFileSync(join(folder.uri.fsPath, '.vscode', 'settings.json'), 'utf8').includes('"finetuneStudio.validation.schema"');
  } catch {
    return false;
  }
}

export function settingsFor(uri: vscode.Uri): DocSettings {
  const cfg = vscode.workspace.getConfiguration('finetuneStudio.validation', uri);
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const project = projectConfig(folder);
  const notes: string[] = [...(project?.problems ?? [])];
  const settingFormat = cfg.get<string>('format', 'auto');
  let format: FormatId | undefined = settingFormat && settingFormat !== 'auto' ? (settingFormat as FormatId) : undefined;
  if (project?.format) {
    format = project.format;
    notes.push(`Format ${format} from ${CONFIG_FILE}`);
  } else if (format) {
    notes.push(`Format ${format} from the setting finetuneStudio.validation.format`);
  }
  // LLaMA-Factory's registry describes this very file: it decides over the workspace-wide choices
  const info = uri.scheme === 'file' ? datasetInfoFor(uri.fsPath) : undefined;
  if (info) {
    format = info.format;
    notes.push(`Format ${info.format} from ${basename(info.source)} ("${info.name}")`, ...info.problems);
  }
  let schema: PlainOptions['schema'];
  const schemaSetting = cfg.get<string>('schema', '').trim();
  if (!vscode.workspace.isTrusted && (schemaSetting || workspaceSetsSchema(folder))) {
    notes.push('Restricted Mode: the custom schema (finetuneStudio.validation.schema) is not loaded; trust the workspace to use it');
  } else if (schemaSetting) {
    const path = isAbsolute(schemaSetting) || !folder ? schemaSetting : join(folder.uri.fsPath, schemaSetting);
    try {
      schema = { source: path, json: JSON.parse(readFileSync(path, 'utf8')) };
      notes.push(`Custom schema ${schemaSetting}`);
    } catch (e) {
      notes.push(`Custom schema ${schemaSetting} could not be read (${(e as Error).message}); using the built-in formats`);
    }
  }
  const maxTokens = project?.maxSeqLength ?? cfg.get<number>('maxTokensPerRecord', 4096);
  const keyMap = info && Object.keys(info.keyMap).length ? info.keyMap : undefined;
  const options: PlainOptions = { format, schema, maxTokens, minRecords: isEvaluationSet(uri.path) ? 0 : cfg.get<number>('minRecords', 200), keyMap };
  const cap = Math.max(1, cfg.get<number>('maxDiagnosticsPerFile', 1000));
  const enabled = cfg.get<boolean>('enabled', true);
  return { enabled, options, cap, notes, key: JSON.stringify([enabled, options, cap]) };
}
