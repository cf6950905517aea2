// Lookups in the setting table by config path: which row a config key belongs to, so a
// ConfigError on `http.addr` lands next to the port field and a restart names what it applied.
import { SETTING_ROWS, type SettingRow, type UiPlace } from '../../preload/contract/setting-table';

/** The rows the window edits. */
export const UI_ROWS = SETTING_ROWS.filter((r): r is Extract<typeof r, { ui: UiPlace }> => 'ui' in r);

/**
 * Rows the window edits that are Berth's own keys with the same value in the file and the form:
 * read and written generically (settings-from-config.ts, apply-patch.ts). Other rows map
 * distribution's keys, whose shape differs from the form's (a port inside http.addr, TLS on as the
 * presence of http.tls), and are read and written field by field there.
 */
export const PLAIN_ROWS = UI_ROWS.filter((r) => r.path.startsWith('berth.') && !('value' in r.ui));

/** The most specific row whose key is `configPath` or holds it ("http.tls.key" → the key row). */
function rowAt(configPath: string, rows: readonly SettingRow[]): SettingRow | undefined {
  let best: SettingRow | undefined;
  for (const row of rows) {
    const holds = configPath === row.path || configPath.startsWith(row.path + '.');
    if (holds && (!best || row.path.length > best.path.length)) best = row;
  }
  return best;
}

/** The Settings field (dotted) that edits `configPath`, if the window shows it. */
export function settingsFieldOf(configPath: string): string | undefined {
  return rowAt(configPath, UI_ROWS)?.ui?.field;
}

/** What a config key is called in the window ("Port", "Cache TTL"); undefined when no row has it. */
export function settingLabelOf(configPath: string): string | undefined {
  return rowAt(configPath, SETTING_ROWS)?.label;
}
