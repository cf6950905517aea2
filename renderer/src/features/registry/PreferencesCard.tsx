// Desktop-only preferences (start on launch / at login); absent in console mode.
import type { AppPreferences } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction, useCall } from '../../api/hooks';
import { Card } from '../../components/Card';
import { ErrorNotice } from '../../components/Notice';
import { Toggle } from '../../components/Toggle';

export function PreferencesCard() {
  const loaded = useCall('preferences.get', {});
  const action = useAction((patch: Partial<AppPreferences>) => invoke('preferences.update', patch));
  const prefs = action.result ?? loaded.data;
  if (!prefs) return null;
  return (
    <Card title="Desktop app">
      <Toggle label="Start the registry when Berth opens" checked={prefs.startRegistryOnLaunch} disabled={action.busy} onChange={(v) => void action.run({ startRegistryOnLaunch: v })} />
      <Toggle label="Open Berth at login" checked={prefs.startAtLogin} disabled={action.busy} onChange={(v) => void action.run({ startAtLogin: v })} />
      <ErrorNotice error={action.error} />
    </Card>
  );
}
