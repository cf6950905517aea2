// The control contract: what every face of Berth (the Electron window over IPC, the web
// console over HTTP, tests) may ask of the runtime. Types and constants only; no runtime code.

export type RegistryStatus =
  | { status: 'stopped' }
  | { status: 'starting' }
  | { status: 'running'; url: string; host: string; port: number; tls: boolean; auth: boolean; debugUrl?: string }
  | { status: 'stopping' }
  | { status: 'failed'; error: string };

export interface ControlApi {
  status(): Promise<RegistryStatus>;
  start(): Promise<RegistryStatus>;
  stop(): Promise<RegistryStatus>;
}

/** IPC channel names, one per method, shared by preload and main/app. */
export const CONTROL_CHANNELS = {
  status: 'berth:registry.status',
  start: 'berth:registry.start',
  stop: 'berth:registry.stop',
} as const satisfies Record<keyof ControlApi, string>;
