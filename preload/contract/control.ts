// The control contract: everything a face of Berth (the Electron window over IPC, the web
// console over HTTP, the tests) may ask of the core. Types and constants only — no runtime
// code — so the sandboxed renderer can import it and every transport carries the same calls.
//
// A call is `{ method, args }` → `ControlResult<T>`. Transports: Electron IPC (one channel,
// CONTROL_CHANNEL) and HTTP (`POST /api/<method>` with a JSON body and a bearer token).

import type { ArchivesMethods } from './archives';
import type { CatalogMethods } from './catalog';
import type { CertsMethods } from './certs';
import type { DockerSetupMethods } from './docker-setup';
import type { LogsMethods } from './logs';
import type { RegistryMethods } from './registry';
import type { SettingsMethods } from './settings';
import type { StorageMethods } from './storage';
import type { UsersMethods } from './users';
import type { WarmMethods } from './warm';

export type { RegistryStatus } from './registry';

/** Every method: its argument and result types. */
export interface ControlMethods
  extends RegistryMethods, SettingsMethods, UsersMethods, CertsMethods, CatalogMethods, DockerSetupMethods,
    LogsMethods, StorageMethods, WarmMethods, ArchivesMethods {}

export type ControlMethod = keyof ControlMethods;
export type ArgsOf<M extends ControlMethod> = ControlMethods[M]['args'];
export type ResultOf<M extends ControlMethod> = ControlMethods[M]['result'];

/** A small error vocabulary for the UI; never stack traces or internal paths. */
export type ControlErrorCode = 'INVALID_ARGUMENT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAVAILABLE' | 'PERMISSION_DENIED' | 'INTERNAL';

export interface ControlError {
  code: ControlErrorCode;
  /** A readable sentence for the user. */
  message: string;
  /** Which argument was wrong, for INVALID_ARGUMENT (e.g. "port"). */
  field?: string;
}

export type ControlResult<T> = { ok: true; value: T } | { ok: false; error: ControlError };

/** How the renderer calls the core, whatever the transport. */
export type ControlCall = <M extends ControlMethod>(method: M, args: ArgsOf<M>) => Promise<ControlResult<ResultOf<M>>>;

/**
 * Pushed to the renderer (IPC event / server-sent events): the runtime changed state, or an
 * archives.exportToFile moved on.
 */
export type ControlEvent =
  | { type: 'status'; status: import('./registry').RegistryStatus }
  | { type: 'archive-progress'; progressId: string; progress: import('./archives').ArchiveProgress };

/** The single IPC channel for calls, and the one for events. */
export const CONTROL_CHANNEL = 'berth:control';
export const CONTROL_EVENT_CHANNEL = 'berth:control-event';

/** What preload exposes on `window.berth`. */
export interface PreloadApi {
  call: ControlCall;
  onEvent(listener: (event: ControlEvent) => void): () => void;
}
