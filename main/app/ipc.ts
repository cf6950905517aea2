// The one IPC entry of the control API. The handler answers only frames showing our own page
// (checklist #17: validate the sender of every message); the control service validates the
// method name and its arguments against the schemas and never throws, so nothing but a
// ControlResult crosses back (Electron would pass only an Error's message anyway).
import { CONTROL_CHANNEL, CONTROL_EVENT_CHANNEL, type ControlResult } from '../../preload/contract';
import type { ControlService } from '../control/service';
import type { Disposable } from '../lib/events';
import { isAppUrl } from './app-url';
import type { IpcMainPort, SenderFrameLike, WebContentsPort } from './ports';

export interface IpcDeps {
  ipcMain: IpcMainPort;
  service: ControlService;
  /** The web contents that should receive events (our windows). */
  targets: () => WebContentsPort[];
  isTrusted?: (frame: SenderFrameLike | null) => boolean;
}

const DENIED: ControlResult<never> = { ok: false, error: { code: 'PERMISSION_DENIED', message: 'This page may not use the Berth control API.' } };

export function isTrustedFrame(frame: SenderFrameLike | null): boolean {
  return frame !== null && isAppUrl(frame.url);
}

export function registerControlIpc(d: IpcDeps): Disposable {
  const trusted = d.isTrusted ?? isTrustedFrame;
  d.ipcMain.handle(CONTROL_CHANNEL, async (event, method, args) => {
    if (!trusted(event.senderFrame)) return DENIED;
    return d.service.call(typeof method === 'string' ? method : '', args);
  });
  const sub = d.service.onEvent((e) => {
    for (const wc of d.targets()) {
      if (!wc.isDestroyed() && isAppUrl(wc.getURL())) wc.send(CONTROL_EVENT_CHANNEL, e);
    }
  });
  return {
    dispose() {
      d.ipcMain.removeHandler(CONTROL_CHANNEL);
      sub.dispose();
    },
  };
}
