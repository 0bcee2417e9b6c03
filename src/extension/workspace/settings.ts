/**
 * Validation settings of a document: VS Code settings (resource scope) and finetune.json in the
 * workspace folder, which overrides the format and the maximum sequence length. In Restricted Mode
 * no user JSON Schema is compiled (ajv generates code from it).
 */
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { resolveValidationOptions, type PlainOptions } from '../../core/validation/options';
import { CONFIG_FILE, readValidationConfig, type ValidationConfig } from '../../core/project/projectConfig';
import { configFor } from './config';
import { datasetInfoFor } from '../../core/formats/llamaFactory';

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
  const cfg = configFor(uri).validation;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  const project = projectConfig(folder);
  const notes: string[] = [...(project?.problems ?? [])];
  // LLaMA-Factory's registry describes this very file: it decides over the workspace-wide choices
  const info = uri.scheme === 'file' ? datasetInfoFor(uri.fsPath) : undefined;
  let schema: PlainOptions['schema'];
  const schemaSetting = cfg.schema;
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
  const { options, formatSource } = resolveValidationOptions({
    path: uri.path,
    registry: info,
    project,
    schema,
    settings: { format: cfg.format, maxTokens: cfg.maxTokensPerRecord, minRecords: cfg.minRecords, nearDuplicateThreshold: cfg.nearDuplicateThreshold },
  });
  if (formatSource === 'registry' && info) notes.push(`Format ${info.format} from ${basename(info.source)} ("${info.name}")`, ...info.problems);
  else if (formatSource === 'project') notes.splice(project?.problems.length ?? 0, 0, `Format ${options.format} from ${CONFIG_FILE}`);
  else if (formatSource === 'setting')
    notes.splice(project?.problems.length ?? 0, 0, `Format ${options.format} from the setting finetuneStudio.validation.format`);
  const tok = options.tokenizer;
  if (tok)
    notes.push('dir' in tok ? `Token counts: exact, the model's tokenizer from ${tok.how}` : `Token counts estimated at 4 characters a token (${tok.missing})`);
  const cap = cfg.maxDiagnosticsPerFile;
  const enabled = cfg.enabled;
  return { enabled, options, cap, notes, key: JSON.stringify([enabled, options, cap]) };
}
