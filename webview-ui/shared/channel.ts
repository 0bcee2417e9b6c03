/** The webview's end of a panel's typed channel (the extension's end is src/extension/panels/channel.ts). */
import type { PanelMessages } from '../../src/protocol/channel';

interface VsCodeApi {
  postMessage(m: unknown): void;
  setState(s: unknown): void;
  getState(): unknown;
}
declare function acquireVsCodeApi(): VsCodeApi;

export interface WebviewChannel<M extends PanelMessages> {
  post(m: M['fromPanel']): void;
  onMessage(handle: (m: M['toPanel']) => void): void;
  /** what the panel serializer reads back after a reload */
  setState(s: M['state']): void;
  getState(): M['state'] | undefined;
}

/** Call once per webview (VS Code hands out its API once). */
export function panelChannel<M extends PanelMessages>(): WebviewChannel<M> {
  const api = acquireVsCodeApi();
  return {
    post: (m) => api.postMessage(m),
    onMessage: (handle) => window.addEventListener('message', (e: MessageEvent<M['toPanel']>) => handle(e.data)),
    setState: (s) => api.setState(s),
    getState: () => api.getState() as M['state'] | undefined,
  };
}
