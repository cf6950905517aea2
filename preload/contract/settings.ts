// What the home page's toggles edit. The core turns settings into a distribution config.yml
// (and back), so the same file runs under `berth serve` or registry:3.

/** Berth's roles, weakest first: read pulls and lists, write also pushes, admin also deletes. */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Settings {
  /** TCP port of the registry. */
  port: number;
  /**
   * Whether other machines can reach the registry: false listens on loopback (127.0.0.1) only,
   * true on every interface (http.addr ":port"). A specific address counts as shared.
   */
  shareOnNetwork: boolean;
  /** Folder holding the registry's storage (config storage.filesystem.rootdirectory). */
  dataDir: string;
  deleteEnabled: boolean;
  tls: {
    enabled: boolean;
    /** Paths of the PEM certificate and key (generated or imported through certs.*). */
    certificate: string;
    key: string;
    minimumTls: 'tls1.2' | 'tls1.3';
  };
  auth: {
    enabled: boolean;
    realm: string;
    htpasswdPath: string;
    /** Allow pulls without credentials (Docker's registry-mirrors never sends any). */
    anonymousPull: boolean;
    defaultRole: Role;
  };
  proxy: {
    enabled: boolean;
    /** e.g. https://registry-1.docker.io */
    remoteUrl: string;
    username: string;
    /** Write-only: reads return "" and `hasPassword` says whether one is stored. */
    password: string;
    hasPassword: boolean;
    /** Go duration, "168h" by default; "0" keeps cached content forever. */
    ttl: string;
    /** Accept pushes while proxying, under `localNamespaces` only (Berth's default); false = fully read-only. */
    allowPush: boolean;
    /**
     * Repository-name prefixes (e.g. "team", "ci/builds") pushed and served here and never asked
     * upstream (berth.proxy.localnamespaces). Every other name belongs to the upstream.
     */
    localNamespaces: string[];
  };
}

/** Desktop-only preferences (electron-store); absent in console mode. */
export interface AppPreferences {
  startRegistryOnLaunch: boolean;
  startAtLogin: boolean;
}

export type SettingsPatch = {
  port?: number;
  shareOnNetwork?: boolean;
  dataDir?: string;
  deleteEnabled?: boolean;
  tls?: Partial<Settings['tls']>;
  auth?: Partial<Settings['auth']>;
  proxy?: Partial<Omit<Settings['proxy'], 'hasPassword'>>;
};

export interface ApplyResult {
  settings: Settings;
  /** Whether the listener had to restart to apply the change. */
  restarted: boolean;
  /** A sentence for the user, e.g. "Restarted the registry on port 5001." */
  message: string;
}

export interface SettingsMethods {
  'settings.get': { args: Record<string, never>; result: Settings };
  'settings.update': { args: SettingsPatch; result: ApplyResult };
  /** Imports a distribution config.yml (text); validated before anything changes. */
  'settings.importConfig': { args: { yaml: string }; result: ApplyResult };
  /** The config.yml the current settings produce. */
  'settings.exportConfig': { args: Record<string, never>; result: { yaml: string } };
  'preferences.get': { args: Record<string, never>; result: AppPreferences | undefined };
  'preferences.update': { args: Partial<AppPreferences>; result: AppPreferences | undefined };
}
