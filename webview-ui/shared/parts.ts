/** Rendering of record parts (text, chat turns, pairs) shared by the panels: dataset text is bound as text only. */
import { css, html, type TemplateResult } from 'lit';
import type { RecordPart } from '../../src/protocol/review';

export function renderPart(p: RecordPart): TemplateResult {
  switch (p.kind) {
    case 'text':
    case 'raw':
      return html`<div class="label">${p.label}</div>
        <div class="text" dir="auto">${p.text}</div>`;
    case 'turns':
      return html`<div class="label">${p.label}</div>
        ${p.turns.map(
          (t) =>
            html`<div class="turn ${t.role}" data-role=${t.role}>
              <div class="role">${t.role}</div>
              <div class="text" dir="auto">${t.content}</div>
            </div>`,
        )}`;
    case 'pair':
      return html`<div class="pair">
        <div class="side">${renderPart(p.left)}</div>
        <div class="side">${renderPart(p.right)}</div>
      </div>`;
  }
}

/** True when a key event comes from a text field (keys then belong to the field). */
/** The keyboard help of a panel: one row per key (its styles are the panel's `.help`). */
export function keyHelp(rows: readonly (readonly [string, string])[]): TemplateResult {
  return html`<div class="help" id="help" role="dialog" aria-label="Keyboard shortcuts">
    <h2>Keys</h2>
    <table>
      ${rows.map(
        ([k, v]) =>
          html`<tr>
            <td><kbd>${k}</kbd></td>
            <td>${v}</td>
          </tr>`,
      )}
    </table>
  </div>`;
}

/** A count as VS Code writes it elsewhere (the status bar's "100,000 records"). */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** "indexing 45%…" for a share of the file read. */
export function indexingText(fraction: number): string {
  return `indexing ${Math.floor(Math.max(0, Math.min(1, fraction)) * 100)}%…`;
}

export function fromTextField(e: KeyboardEvent): boolean {
  const t = e.composedPath()[0] as HTMLElement | undefined;
  return t?.tagName === 'TEXTAREA' || t?.tagName === 'INPUT';
}

export const partStyles = css`
  :host {
    display: block;
    font-family: var(--vscode-font-family);
    font-size: var(--vscode-font-size);
    color: var(--vscode-foreground);
    padding: 12px 16px;
  }
  header {
    display: flex;
    flex-wrap: wrap;
    gap: 8px 16px;
    align-items: baseline;
    margin-bottom: 8px;
  }
  h1 {
    font-size: 1.1em;
    margin: 0;
    font-weight: 600;
  }
  .muted {
    color: var(--vscode-descriptionForeground);
  }
  vscode-progress-bar {
    margin: 4px 0 12px;
  }
  .card {
    border: 1px solid var(--vscode-panel-border, #444);
    border-radius: 4px;
    padding: 10px 12px;
    margin-bottom: 12px;
  }
  .label {
    font-weight: 600;
    margin: 8px 0 4px;
  }
  .text {
    white-space: pre-wrap;
    overflow-wrap: anywhere;
    font-family: var(--vscode-editor-font-family);
    font-size: var(--vscode-editor-font-size);
    max-height: 50vh;
    overflow: auto;
    unicode-bidi: plaintext;
  }
  .turn {
    border-radius: 6px;
    padding: 6px 10px;
    margin: 6px 0;
    max-width: 85%;
    background: var(--vscode-editorWidget-background, #252526);
    border: 1px solid var(--vscode-widget-border, transparent);
  }
  .turn.user {
    margin-left: auto;
    background: var(--vscode-textBlockQuote-background, #2b2b2b);
  }
  .turn.system {
    max-width: 100%;
    opacity: 0.85;
    font-style: italic;
  }
  .role {
    font-size: 0.85em;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--vscode-descriptionForeground);
  }
  .pair {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: 12px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
    margin: 8px 0;
  }
  .notice {
    color: var(--vscode-editorWarning-foreground);
    margin: 6px 0;
  }
  .help {
    position: fixed;
    inset: 10% 15%;
    background: var(--vscode-editorWidget-background);
    border: 1px solid var(--vscode-widget-border, #555);
    padding: 16px;
    z-index: 10;
    box-shadow: 0 4px 16px rgba(0, 0, 0, 0.5);
  }
  kbd {
    border: 1px solid var(--vscode-widget-border, #666);
    border-radius: 3px;
    padding: 0 4px;
    font-family: var(--vscode-editor-font-family);
  }
  table {
    border-collapse: collapse;
  }
  td {
    padding: 2px 12px 2px 0;
  }
`;
