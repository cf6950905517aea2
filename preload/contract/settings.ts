// What the Registry page edits, derived from the setting table. The core turns settings into a
// distribution config.yml (and back), so the same file runs under `berth serve` or registry:3.
import type { Intersect, Nest, Spell } from './nested-types';
import type { SettingRows } from './setting-table';

/** The value a Kind has in the window and the control API. */
type ValueOf<K> =
  K extends { type: 'boolean' } ? boolean
  : K extends { type: 'integer' } ? number
  : K extends { type: 'choice'; values: readonly (infer V)[] } ? V
  : K extends { type: 'list' } ? string[]
  : string;

type UiRow = Extract<SettingRows[number], { ui: object }>;
type FieldOf<R> = R extends { ui: { field: infer F extends string; value: infer V } } ? Nest<F, ValueOf<V>>
  : R extends { ui: { field: infer F extends string }; value: infer V } ? Nest<F, ValueOf<V>> : never;

/**
 * What the Registry page edits: one field per table row with a `ui` place. The proxy password is
 * write-only: reads return "" and `proxy.hasPassword` says whether one is stored.
 */
export type Settings = Spell<Intersect<FieldOf<UiRow> | { proxy: { hasPassword: boolean } }>>;

/** Desktop-only preferences (electron-store); absent in console mode. */
export interface AppPreferences {
  startRegistryOnLaunch: boolean;
  startAtLogin: boolean;
}

/** A change to some settings; sections change field by field. */
export type SettingsPatch = {
  [K in keyof Settings]?: Settings[K] extends readonly unknown[] ? Settings[K]
    : Settings[K] extends object ? Partial<Omit<Settings[K], 'hasPassword'>> : Settings[K];
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
