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
  // user-timing marks of the first message each way (the e2e tests read them: where the time to the first item goes)
  let sent = false;
  let received = false;
  return {
    post: (m) => {
      if (!sent) performance.mark('ftstudio:first-sent');
      sent = true;
      api.postMessage(m);
    },
    onMessage: (handle) =>
      window.addEventListener('message', (e: MessageEvent<M['toPanel']>) => {
        if (!received) performance.mark('ftstudio:first-received');
        received = true;
        handle(e.data);
      }),
    setState: (s) => api.setState(s),
    getState: () => api.getState() as M['state'] | undefined,
  };
}
