// How the renderer reaches the core: `window.berth` (preload, over IPC) in the desktop app, or
// the console server's HTTP API (`berth serve --console`) in a browser. Both carry the same
// typed calls of preload/contract, so nothing above this file knows which one it runs on.
import type { ControlCall, ControlEvent, PreloadApi } from '../../../preload/contract';
import { createHttpTransport } from './http-transport';

declare global {
  interface Window {
    /** Set by preload in the desktop app; absent in a browser. */
    berth?: PreloadApi;
  }
}

export interface Transport {
  kind: 'desktop' | 'console';
  call: ControlCall;
  onEvent(listener: (event: ControlEvent) => void): () => void;
}

let current: Transport | undefined;

export function transport(): Transport {
  if (!current) {
    const ipc = window.berth;
    // Both are a PreloadApi; only the kind is added here, so imports run one way (here → http-transport).
    current = ipc ? { kind: 'desktop', call: ipc.call, onEvent: (l) => ipc.onEvent(l) } : { kind: 'console', ...createHttpTransport() };
  }
  return current;
}
