/**
 * Validation of open JSONL documents as you type. Each document has a core DatasetModel; an edit
 * re-analyses only the changed lines. A large document's first analysis runs on a worker thread
 * (cancelled when the document changes again or closes). Diagnostics are published after a short
 * debounce so that fast typing does not flood the Problems panel.
 */
import * as vscode from 'vscode';
import { DatasetModel, type FileReport, type ValidationOptions } from '../../core/checks/datasetModel';
import type { QuickFix } from '../../core/checks/diagnostic';
import { resolveOptions, resolveOptionsWithTokens } from '../../core/validation/options';
import { estimateTokenCounter, type TokenCounter, type TokenCounts } from '../../core/tokens/tokenCounter';
import { renameKeys } from '../../core/formats/llamaFactory';
import { runWorker } from '../../core/validation/validateFile';
import { validateDocument } from '../../core/validation/validateDataset';
import { fixKey, toVsDiagnostic } from './convert';
import { documentLines } from '../workspace/documentSnapshot';
import { settingsFor, type DocSettings } from '../workspace/settings';

/** Documents above this size are analysed off the extension host's main thread. */
export const WORKER_THRESHOLD_CHARS = 2_000_000;
/** With the model's tokenizer (every record tokenized), the first analysis moves to a worker from this size. */
export const TOKENIZER_WORKER_THRESHOLD_CHARS = 200_000;
const PUBLISH_DELAY_MS = 60;

interface DocState {
  model: DatasetModel | undefined; // undefined while the first analysis runs on a worker
  settings: DocSettings;
  abort?: AbortController;
  timer?: NodeJS.Timeout;
  report?: FileReport;
  fixes: Map<string, QuickFix>;
  error?: string;
  /** the options with the model's tokenizer loaded (exact token counts); undefined until loaded, or without one */
  tokenOptions?: ValidationOptions;
}

/** A record's tokens for the hover. */
export interface RecordTokens {
  readonly counts: TokenCounts;
  readonly counter: TokenCounter;
  readonly maxTokens: number;
}

export interface DatasetSummary {
  readonly uri: vscode.Uri;
  readonly report?: FileReport;
  readonly pending: boolean;
  readonly notes: readonly string[];
  readonly error?: string;
}

export function isDataset(doc: vscode.TextDocument): boolean {
  return (doc.languageId === 'jsonl' || doc.fileName.endsWith('.jsonl')) && (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled');
}

export class DatasetValidation implements vscode.Disposable {
  private readonly states = new Map<string, DocState>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidUpdate = this.changed.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly collection: vscode.DiagnosticCollection) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.open(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.change(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.close(d)),
      this.changed,
    );
    for (const d of vscode.workspace.textDocuments) this.open(d);
  }

  summary(uri: vscode.Uri): DatasetSummary | undefined {
    const s = this.states.get(uri.toString());
    if (!s) return undefined;
    return { uri, report: s.report, pending: s.model === undefined, notes: s.settings.notes, error: s.error };
  }

  /** The tokens of the record on `line` (counted now, for this one record), or undefined for a line that is not one. */
  tokensAt(doc: vscode.TextDocument, line: number): RecordTokens | undefined {
    const s = this.states.get(doc.uri.toString());
    const facts = s?.model?.at(line);
    if (!s?.model || !facts?.record || line >= doc.lineCount) return undefined;
    const format = facts.variant?.split(':')[0] ?? s.report?.format ?? undefined;
    if (!format) return undefined;
    let rec: unknown;
    try {
      rec = JSON.parse(doc.lineAt(line).text);
    } catch {
      return undefined;
    }
    if (!rec || typeof rec !== 'object' || Array.isArray(rec)) return undefined;
    const options = s.model.options;
    if (options.keyMap) rec = renameKeys(rec as Record<string, unknown>, options.keyMap);
    const counter = options.tokenCounter ?? estimateTokenCounter(options.tokenEstimateWhy ?? 'no tokenizer: finetune.json names no model');
    return { counts: counter.count(rec, format), counter, maxTokens: options.maxTokens };
  }

  fixFor(uri: vscode.Uri, line: number, start: number, end: number, code: string): QuickFix | undefined {
    return this.states.get(uri.toString())?.fixes.get(fixKey(line, start, end, code));
  }

  /** Settings, finetune.json or workspace trust changed: validate every open dataset again. */
  revalidateAll(): void {
    for (const d of vscode.workspace.textDocuments) {
      if (!isDataset(d)) continue;
      const s = this.states.get(d.uri.toString());
      if (s && settingsFor(d.uri).key === s.settings.key) continue;
      this.close(d);
      this.open(d);
    }
  }

  private open(doc: vscode.TextDocument): void {
    if (!isDataset(doc) || this.states.has(doc.uri.toString())) return;
    const settings = settingsFor(doc.uri);
    const state: DocState = { model: undefined, settings, fixes: new Map() };
    this.states.set(doc.uri.toString(), state);
    if (!settings.enabled) {
      this.collection.delete(doc.uri);
      return;
    }
    this.analyseWhole(doc, state);
  }

  private analyseWhole(doc: vscode.TextDocument, state: DocState): void {
    state.abort?.abort();
    let options: ValidationOptions;
    try {
      options = resolveOptions(state.settings.options);
    } catch (e) {
      // an invalid user schema: say so and fall back to the built-in formats
      state.error = (e as Error).message;
      state.settings = { ...state.settings, options: { ...state.settings.options, schema: undefined } };
      options = resolveOptions(state.settings.options);
      void vscode.window.showErrorMessage(`Finetune Studio: ${state.error}. Using the built-in formats.`);
    }
    const tokenizer = state.settings.options.tokenizer;
    if (tokenizer && 'dir' in tokenizer) {
      if (!state.tokenOptions) {
        // load the model's tokenizer first (once per settings); the analysis starts again when it is there
        state.model = undefined;
        this.changed.fire(doc.uri);
        const plain = state.settings.options;
        void resolveOptionsWithTokens(plain).then((o) => {
          if (this.states.get(doc.uri.toString()) !== state || state.settings.options !== plain || state.tokenOptions) return;
          state.tokenOptions = o;
          this.analyseWhole(doc, state);
        });
        return;
      }
      options = state.tokenOptions;
    }
    const text = doc.getText();
    const threshold = options.tokenCounter ? TOKENIZER_WORKER_THRESHOLD_CHARS : WORKER_THRESHOLD_CHARS;
    if (text.length < threshold) {
      const model = new DatasetModel(options);
      model.replaceLines(0, 0, documentLines(doc));
      state.model = model;
      this.publish(doc.uri, state, 0);
      return;
    }
    state.model = undefined;
    const abort = new AbortController();
    state.abort = abort;
    const version = doc.version;
    this.changed.fire(doc.uri);
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) if (lines[i]!.endsWith('\r')) lines[i] = lines[i]!.slice(0, -1);
    runWorker({ lines, options: state.settings.options }, abort.signal).then(
      (packed) => {
        if (abort.signal.aborted || this.states.get(doc.uri.toString()) !== state) return;
        if (doc.version !== version || doc.lineCount !== packed.count) {
          this.analyseWhole(doc, state); // edited meanwhile: start over on the new text
          return;
        }
        const model = new DatasetModel(options!);
        model.pushPacked(packed);
        state.model = model;
        state.abort = undefined;
        this.publish(doc.uri, state, 0);
      },
      (e: Error) => {
        if (abort.signal.aborted) return;
        state.error = `Validation failed: ${e.message}`;
        this.changed.fire(doc.uri);
      },
    );
  }

  private change(e: vscode.TextDocumentChangeEvent): void {
    const doc = e.document;
    const state = this.states.get(doc.uri.toString());
    if (!state || !state.settings.enabled || e.contentChanges.length === 0) return;
    const model = state.model;
    if (!model) {
      // first analysis still running on a worker: restart it on the new text
      this.analyseWhole(doc, state);
      return;
    }
    // apply changes top to bottom; each one's original line shifts by the line delta of those above
    const changes = [...e.contentChanges].sort((a, b) => a.range.start.line - b.range.start.line);
    let delta = 0;
    for (const c of changes) {
      const start = c.range.start.line + delta;
      const deleted = c.range.end.line - c.range.start.line + 1;
      let inserted = 1;
      for (let i = c.text.indexOf('\n'); i !== -1; i = c.text.indexOf('\n', i + 1)) inserted++;
      model.replaceLines(start, deleted, documentLines(doc, start, inserted));
      delta += inserted - deleted;
    }
    if (model.length !== doc.lineCount) {
      // changes VS Code reported in an order we did not expect: resynchronise from the text
      model.replaceLines(0, model.length, documentLines(doc));
    }
    this.publish(doc.uri, state, PUBLISH_DELAY_MS);
  }

  private close(doc: vscode.TextDocument): void {
    const s = this.states.get(doc.uri.toString());
    if (!s) return;
    s.abort?.abort();
    if (s.timer) clearTimeout(s.timer);
    this.states.delete(doc.uri.toString());
    this.collection.delete(doc.uri);
    this.changed.fire(doc.uri);
  }

  private publish(uri: vscode.Uri, state: DocState, delay: number): void {
    if (state.timer) clearTimeout(state.timer);
    const run = () => {
      state.timer = undefined;
      if (!state.model || this.states.get(uri.toString()) !== state) return;
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
      const path = uri.scheme === 'file' && doc ? uri.fsPath : undefined;
      const report = validateDocument(state.model, path, () => documentLines(doc!), state.settings.cap);
      state.report = report;
      state.fixes.clear();
      for (const d of report.diagnostics) if (d.fix) state.fixes.set(fixKey(d.line, d.start, d.end, d.code), d.fix);
      this.collection.set(
        uri,
        report.diagnostics.map((d) => toVsDiagnostic(d, uri)),
      );
      this.changed.fire(uri);
    };
    if (delay === 0) run();
    else state.timer = setTimeout(run, delay);
  }

  dispose(): void {
    for (const s of this.states.values()) {
      s.abort?.abort();
      if (s.timer) clearTimeout(s.timer);
    }
    this.states.clear();
    for (const d of this.subscriptions) d.dispose();
  }
}
