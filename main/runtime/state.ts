// The runtime's observable state, which the tray, the UI and the headless log all follow.
export type RuntimeState =
  | { status: 'stopped' }
  | { status: 'starting' }
  | { status: 'running'; url: string; host: string; port: number; tls: boolean; auth: boolean; debugUrl?: string }
  | { status: 'stopping' }
  | { status: 'failed'; error: string };
