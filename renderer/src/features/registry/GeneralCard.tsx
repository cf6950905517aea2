// Port, data folder and whether deletes are allowed.
import type { Settings } from '../../../../preload/contract';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { serverFieldError } from '../../components/Notice';
import { ApplyOutcome } from './ApplyOutcome';
import { useDraft, type ApplySettings } from './use-settings';
import { SettingField } from './SettingField';

interface Draft { port: string; dataDir: string; deleteEnabled: boolean }

export function GeneralCard({ settings, apply }: { settings: Settings; apply: ApplySettings }) {
  const [draft, setDraft, dirty] = useDraft<Draft>({ port: String(settings.port), dataDir: settings.dataDir, deleteEnabled: settings.deleteEnabled });
  const action = useAction(apply);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  // Text that is not a number goes as NaN, which the core refuses with its sentence for the port.
  const submit = () => void action.run({ port: /^\s*\d+\s*$/.test(draft.port) ? Number(draft.port) : NaN, dataDir: draft.dataDir.trim(), deleteEnabled: draft.deleteEnabled });

  return (
    <Card title="Listener and storage" description="Changing the port or data folder restarts the registry.">
      <form className="form" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <div className="field-row">
          <SettingField field="port" value={draft.port} onChange={(port) => set({ port: String(port) })} error={serverFieldError(action.error, 'port')} short />
          <SettingField field="dataDir" value={draft.dataDir} onChange={(dataDir) => set({ dataDir: String(dataDir) })} error={serverFieldError(action.error, 'dataDir')} />
        </div>
        <SettingField field="deleteEnabled" value={draft.deleteEnabled} onChange={(deleteEnabled) => set({ deleteEnabled: deleteEnabled === true })} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || !dirty}>{action.busy ? 'Applying…' : 'Apply'}</button>
        </div>
        <ApplyOutcome result={action.result} error={action.error} fields={['port', 'dataDir']} />
      </form>
    </Card>
  );
}
