/**
 * The extension's end of a panel's typed channel: it posts only the panel's `toPanel` messages and
 * hands each `fromPanel` message to one handler, whose failures are reported, never dropped.
 */
import * as vscode from 'vscode';
import type { PanelMessages } from '../../protocol/channel';

export class PanelChannel<M extends PanelMessages> implements vscode.Disposable {
  private readonly subscription: vscode.Disposable;
  private readonly deliver: (m: unknown) => void;

  constructor(
    private readonly webview: vscode.Webview,
    handle: (m: M['fromPanel']) => void | Promise<void>,
    onError: (e: Error) => void,
  ) {
    this.deliver = (m) => {
      try {
        void Promise.resolve(handle(m as M['fromPanel'])).catch(onError);
      } catch (e) {
        onError(e as Error);
      }
    };
    this.subscription = webview.onDidReceiveMessage(this.deliver);
  }

  /** Handle a message from the webview (also one that came before this channel was made, replayed). */
  receive(m: M['fromPanel']): void {
    this.deliver(m);
  }

  post(m: M['toPanel']): Thenable<boolean> {
    return this.webview.postMessage(m);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
