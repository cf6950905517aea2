// Layout 1 (Berth 0.1) kept the window's settings twice: as `settings` (a JSON copy of what the
// window edited) and as the config text they were applied onto. Layout 2 keeps only the text;
// this folds a layout-1 `settings` object into it once, so no edit made under layout 1 is lost.
// The stored settings win over the same keys in the text (they were the copy the window wrote);
// only what differs is written, so the text stays exactly as it was where the two agree.
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import type { Settings, SettingsPatch } from '../../../preload/contract';
import { parseConfig } from '../../config/load';
import { applySettingsPatch } from '../../settings/apply-patch';
import { fileDefaults } from '../../settings/defaults';
import { settingsFromConfig } from '../../settings/settings-from-config';
import type { KeyValuePort } from '../ports';

/** Layout 1's `settings`: the window's fields, with the proxy password (write-only in the window). */
type Layout1Settings = Partial<Omit<Settings, 'proxy'>> & { proxy?: Partial<Omit<Settings['proxy'], 'hasPassword'>> };

export function hasLayout1Settings(kv: KeyValuePort): boolean {
  const s = kv.get('settings');
  return typeof s === 'object' && s !== null;
}

export function layout1Text(stored: unknown, base: string, source: string, dataDir: string): string {
  const config = parseConfig(base, { source }).config;
  const current = settingsFromConfig(config, fileDefaults(dataDir));
  const patch = differences(stored as Layout1Settings, current, config.proxy?.password ?? '');
  if (Object.keys(patch).length === 0) return base;
  const doc = parseDocument(base);
  applySettingsPatch(doc, patch, current);
  const text = doc.toString();
  parseConfig(text, { source }); // a store that cannot make a valid config is an error to show, not to keep
  return text;
}

function differences(stored: Layout1Settings, current: Settings, basePassword: string): SettingsPatch {
  const patch: Record<string, unknown> = {};
  for (const key of ['port', 'shareOnNetwork', 'dataDir', 'deleteEnabled'] as const) {
    // A field layout 1 did not have yet (shareOnNetwork came later): the text decides.
    if (stored[key] === undefined) continue;
    if (stored[key] !== current[key] && !(key === 'dataDir' && !stored.dataDir)) patch[key] = stored[key];
  }
  for (const section of ['tls', 'auth', 'proxy'] as const) {
    const want = (stored[section] ?? {}) as Record<string, unknown>;
    const have = current[section] as unknown as Record<string, unknown>;
    // The stored password is the only copy the window does not see; compare it with the text's.
    const changed = Object.keys(want).filter((k) => k in have && k !== 'password' && !isDeepStrictEqual(want[k], have[k]));
    if (section === 'proxy' && want.password && want.password !== basePassword) changed.push('password');
    if (changed.length > 0) patch[section] = Object.fromEntries(changed.map((k) => [k, want[k]]));
  }
  return patch as SettingsPatch;
}
