/**
 * JSON array datasets (.json, LLaMA-Factory's native files) in the editor: a .json document is taken for
 * a dataset when LLaMA-Factory's dataset_info.json registers it, or when its first element is a record of
 * a known format. The whole text is validated again after each edit (debounced): records span lines, so
 * there is no per-line delta to apply.
 */
import * as vscode from 'vscode';
import type { FileReport, ValidationOptions } from '../../core/checks/datasetModel';
import type { QuickFix } from '../../core/checks/diagnostic';
import { detectFormat } from '../../core/formats/formats';
import { datasetInfoFor } from '../../core/formats/llamaFactory';
import { ArraySplitter } from '../../core/jsonl/jsonArray';
import { resolveOptions, resolveOptionsWithTokens } from '../../core/validation/options';
import { validateJsonArrayDocument } from '../../core/validation/validateDataset';
import { fixKey, toVsDiagnostic } from './convert';
import type { DatasetSummary } from './datasetValidation';
import { settingsFor } from '../workspace/settings';

const DELAY_MS = 150;

/** Whether a .json document is a dataset: registered, or an array whose first element is a record we know. */
export function isJsonArrayDataset(doc: vscode.TextDocument): boolean {
  if (doc.uri.scheme !== 'file' || !/\.json$/i.test(doc.fileName)) return false;
  if (datasetInfoFor(doc.uri.fsPath)) return true;
  const head = doc.getText(new vscode.Range(0, 0, Math.min(doc.lineCount, 400), 0));
  if (!/^\s*\[\s*\{/.test(head)) return false;
  let known = false;
  let first = true;
  const s = new ArraySplitter(
    (r) => {
      if (!first) return;
      first = false;
      try {
        const v: unknown = JSON.parse(r.text);
        known = !!v && typeof v === 'object' && !Array.isArray(v) && detectFormat(v as Record<string, unknown>)?.exact === true;
      } catch {
        known = false;
      }
    },
    () => {},
  );
  s.feed(head);
  return known;
}

interface State {
  report?: FileReport;
  fixes: Map<string, QuickFix>;
  timer?: NodeJS.Timeout;
  notes: readonly string[];
  error?: string;
  /** the options with the model's tokenizer loaded (resolveOptionsWithTokens) for the settings of this key; undefined: loading; null: failed */
  tokenOptions?: { readonly key: string; options?: ValidationOptions | null };
}

export class JsonArrayValidation implements vscode.Disposable {
  private readonly states = new Map<string, State>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidUpdate = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly collection: vscode.DiagnosticCollection) {
    this.subscriptions.push(
      this.changed,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((e) => this.states.has(e.document.uri.toString()) && this.schedule(e.document, DELAY_MS)),
      vscode.workspace.onDidCloseTextDocument((d) => this.close(d.uri)),
    );
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
  }

  summary(uri: vscode.Uri): DatasetSummary | undefined {
    const s = this.states.get(uri.toString());
    return s && { uri, report: s.report, pending: !s.report && !s.error, notes: s.notes, error: s.error };
  }

  fixFor(uri: vscode.Uri, line: number, start: number, end: number, code: string): QuickFix | undefined {
    return this.states.get(uri.toString())?.fixes.get(fixKey(line, start, end, code));
  }

  revalidateAll(): void {
    for (const d of vscode.workspace.textDocuments) if (this.states.has(d.uri.toString()) || isJsonArrayDataset(d)) this.schedule(d, 0);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    const key = doc.uri.toString();
    let s = this.states.get(key);
    if (!s) {
      if (!isJsonArrayDataset(doc)) return;
      s = { fixes: new Map(), notes: [] };
      this.states.set(key, s);
    }
    if (s.timer) clearTimeout(s.timer);
    const state = s;
    const run = () => {
      state.timer = undefined;
      if (this.states.get(key) !== state) return;
      const settings = settingsFor(doc.uri);
      state.notes = ['JSON array: validated record by record', ...settings.notes];
      if (!settings.enabled) {
        this.collection.delete(doc.uri);
        return;
      }
      const plain = settings.options;
      const tokenized = !!plain.tokenizer && 'dir' in plain.tokenizer;
      if (tokenized && state.tokenOptions?.key !== settings.key) {
        // the model's tokenizer loads once for these settings (too-long counts exactly, as in JSONL documents); then validate
        const pending = { key: settings.key } as NonNullable<State['tokenOptions']>;
        state.tokenOptions = pending;
        const loaded = (o: ValidationOptions | null) => {
          if (this.states.get(key) !== state || state.tokenOptions !== pending) return;
          pending.options = o;
          if (!state.timer) run();
        };
        // a schema that does not compile throws here: validated without the tokenizer, where the error is reported
        void Promise.resolve()
          .then(() => resolveOptionsWithTokens(plain))
          .then(loaded, () => loaded(null));
        return;
      }
      if (tokenized && state.tokenOptions?.options === undefined) return; // still loading: validated when it is there
      try {
        // the records' checks and leakage against the training partner (x_valid.json beside x_train.json …)
        const options = (tokenized && state.tokenOptions?.options) || resolveOptions(plain);
        const report = validateJsonArrayDocument(doc.uri.fsPath, doc.getText(), options, settings.cap);
        state.report = report;
        state.error = undefined;
        state.fixes.clear();
        for (const d of report.diagnostics) if (d.fix) state.fixes.set(fixKey(d.line, d.start, d.end, d.code), d.fix);
        this.collection.set(
          doc.uri,
          report.diagnostics.map((d) => toVsDiagnostic(d, doc.uri)),
        );
      } catch (e) {
        state.error = `Validation failed: ${(e as Error).message}`;
      }
      this.changed.fire(doc.uri);
    };
    if (delay === 0) run();
    else state.timer = setTimeout(run, delay);
  }

  private close(uri: vscode.Uri): void {
    const s = this.states.get(uri.toString());
    if (!s) return;
    if (s.timer) clearTimeout(s.timer);
    this.states.delete(uri.toString());
    this.collection.delete(uri);
    this.changed.fire(uri);
  }

  dispose(): void {
    for (const s of this.states.values()) if (s.timer) clearTimeout(s.timer);
    this.states.clear();
    for (const d of this.subscriptions) d.dispose();
  }
}
