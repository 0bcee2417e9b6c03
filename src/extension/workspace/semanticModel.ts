/**
 * The local embedding model of the semantic checks for a dataset, as the editor decides it: finetune.json's
 * embeddings.model over the setting finetuneStudio.embeddings.model (core's embeddingModelChoice), the
 * threshold from finetune.json's embeddings.threshold over the setting; only in a trusted workspace
 * (the checks run a model file the workspace names). Off: the sentence that says why.
 */
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { embeddingModelChoice } from '../../core/insight/embeddings';
import type { SemanticConfig } from '../../core/insight/semantic';
import { findConfig, readValidationConfig } from '../../core/project/projectConfig';
import { configFor } from './config';
import { workspaceRootOf } from './roots';

export function semanticModelFor(uri: vscode.Uri): SemanticConfig | { readonly off: string } {
  const settings = configFor(uri).embeddings;
  const configPath = findConfig(dirname(uri.fsPath));
  const project = configPath ? readValidationConfig(configPath).embeddings : undefined;
  if (!vscode.workspace.isTrusted && (project?.model || settings.model))
    return { off: 'semantic checks are off in Restricted Mode: they run the embedding model the workspace names; trust the workspace to use it' };
  const choice = embeddingModelChoice({ project: project?.model, setting: settings.model || undefined, trusted: true, workspaceRoot: workspaceRootOf(uri) });
  return 'off' in choice ? choice : { ...choice, threshold: project?.threshold ?? settings.threshold };
}
