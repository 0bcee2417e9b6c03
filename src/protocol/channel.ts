/**
 * The shape of one panel's conversation, shared by both sides (the lean4 infoview's typed RPC is the
 * anchor): what the extension sends the webview, what the webview sends back, and what the webview
 * keeps across reloads (vscode.setState, read back by the panel serializer). The extension's
 * PanelChannel and the webview's panelChannel are typed by it; nothing is posted around them.
 */
export interface PanelMessages<ToPanel = unknown, FromPanel extends { readonly type: string } = { readonly type: string }, State = unknown> {
  readonly toPanel: ToPanel;
  readonly fromPanel: FromPanel;
  readonly state: State;
}
