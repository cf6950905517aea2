// The preload: exposes exactly one object, `window.berth` (PreloadApi), to the sandboxed
// renderer. No ipcRenderer, no generic send: one call function over the control channel and
// one event subscription that hands the renderer the payload without Electron's event object.
// Bundled to one CommonJS file (a sandboxed preload can only require 'electron').
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CONTROL_CHANNEL, CONTROL_EVENT_CHANNEL, type ControlEvent, type ControlResult, type PreloadApi } from './contract';

const api: PreloadApi = {
  call: (method, args) => ipcRenderer.invoke(CONTROL_CHANNEL, method, args) as Promise<ControlResult<never>>,
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, payload: ControlEvent) => listener(payload);
    ipcRenderer.on(CONTROL_EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(CONTROL_EVENT_CHANNEL, handler);
    };
  },
};

contextBridge.exposeInMainWorld('berth', api);
