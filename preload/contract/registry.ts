// Registry lifecycle and the numbers the home page shows.

export type RegistryStatus =
  | { status: 'stopped' }
  | { status: 'starting' }
  | { status: 'running'; url: string; host: string; port: number; tls: boolean; auth: boolean; proxy: boolean; debugUrl?: string }
  | { status: 'stopping' }
  | { status: 'failed'; error: string };

export interface ClientAddress {
  /** What clients put in image references, e.g. "192.168.1.20:5000" or "myhost.local:5000". */
  hostPort: string;
  /** Full URL, e.g. "https://192.168.1.20:5000". */
  url: string;
  /** Interface name or "hostname" / "loopback". */
  source: string;
}

export interface RegistryOverview {
  status: RegistryStatus;
  /** Where clients reach the registry; while it is stopped, where they will (from http.addr). */
  addresses: ClientAddress[];
  repositories: number;
  tags: number;
  /** Bytes used by the storage root (blobs and metadata). */
  storageBytes: number;
  proxy: { enabled: boolean; hits: number; misses: number } | undefined;
}

export interface RegistryMethods {
  'registry.status': { args: Record<string, never>; result: RegistryStatus };
  'registry.overview': { args: Record<string, never>; result: RegistryOverview };
  'registry.start': { args: Record<string, never>; result: RegistryStatus };
  'registry.stop': { args: Record<string, never>; result: RegistryStatus };
}
