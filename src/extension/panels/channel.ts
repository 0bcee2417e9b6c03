/**
 * The extension's end of a panel's typed channel: it posts only the panel's `toPanel` messages and
 * hands each `fromPanel` message to one handler, whose failures are reported, never dropped.
 */
import * as vscode from 'vscode';
import type { PanelMessages } from '../../protocol/channel';

export class PanelChannel<M extends PanelMessages> implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly webview: vscode.Webview,
    handle: (m: M['fromPanel']) => void | Promise<void>,
    onError: (e: Error) => void,
  ) {
    this.subscription = webview.onDidReceiveMessage((m: M['fromPanel']) => {
      try {
        void Promise.resolve(handle(m)).catch(onError);
      } catch (e) {
        onError(e as Error);
      }
    });
  }

  post(m: M['toPanel']): Thenable<boolean> {
    return this.webview.postMessage(m);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
