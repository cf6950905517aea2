// The home page's settings: loaded once, replaced by every ApplyResult, and a helper that sends a
// patch through settings.update and tells the status bar the registry may have restarted.
import { useCallback, useEffect, useState } from 'react';
import type { ApplyResult, ControlError, Settings, SettingsPatch } from '../../../../preload/contract';
import { invoke, toControlError } from '../../api/control';
import { useRegistryStatus } from '../../api/status';

export function useSettings() {
  const [settings, setSettings] = useState<Settings>();
  const [error, setError] = useState<ControlError>();
  const { update } = useRegistryStatus();

  useEffect(() => {
    invoke('settings.get', {}).then(setSettings, (err: unknown) => setError(toControlError(err)));
  }, []);

  const applied = useCallback((result: ApplyResult) => {
    setSettings(result.settings);
    update();
    return result;
  }, [update]);

  const apply = useCallback(async (patch: SettingsPatch) => applied(await invoke('settings.update', patch)), [applied]);

  return { settings, error, apply, applied };
}

export type ApplySettings = (patch: SettingsPatch) => Promise<ApplyResult>;

/** Re-initialises a form's draft when the part of the settings it edits changes. */
export function useDraft<T>(source: T): [T, (next: T) => void, boolean] {
  const key = JSON.stringify(source);
  const [draft, setDraft] = useState(source);
  useEffect(() => setDraft(JSON.parse(key) as T), [key]);
  return [draft, setDraft, JSON.stringify(draft) !== key];
}
