// Port, data folder and whether deletes are allowed.
import { useState } from 'react';
import type { Settings } from '../../../../preload/contract';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { Field } from '../../components/Field';
import { serverFieldError } from '../../components/Notice';
import { Toggle } from '../../components/Toggle';
import { ApplyOutcome } from './ApplyOutcome';
import { useDraft, type ApplySettings } from './use-settings';
import { checkDataDir, checkPort } from './validation';

interface Draft { port: string; dataDir: string; deleteEnabled: boolean }

export function GeneralCard({ settings, apply }: { settings: Settings; apply: ApplySettings }) {
  const [draft, setDraft, dirty] = useDraft<Draft>({ port: String(settings.port), dataDir: settings.dataDir, deleteEnabled: settings.deleteEnabled });
  const [checks, setChecks] = useState<{ port?: string; dataDir?: string }>({});
  const action = useAction(apply);
  const set = (patch: Partial<Draft>) => setDraft({ ...draft, ...patch });

  const submit = () => {
    const found = { port: checkPort(draft.port), dataDir: checkDataDir(draft.dataDir) };
    setChecks(found);
    if (found.port || found.dataDir) return;
    void action.run({ port: Number(draft.port), dataDir: draft.dataDir.trim(), deleteEnabled: draft.deleteEnabled });
  };

  return (
    <Card title="Listener and storage" description="Changing the port or data folder restarts the registry.">
      <form className="form" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <div className="field-row">
          <Field label="Port" error={checks.port ?? serverFieldError(action.error, 'port')}>
            <input value={draft.port} onChange={(e) => set({ port: e.target.value })} inputMode="numeric" className="input-short" />
          </Field>
          <Field label="Data folder" hint="Holds the images, in distribution’s layout (movable to registry:3)." error={checks.dataDir ?? serverFieldError(action.error, 'dataDir')}>
            <input value={draft.dataDir} onChange={(e) => set({ dataDir: e.target.value })} spellCheck={false} />
          </Field>
        </div>
        <Toggle label="Allow deleting images" description="Needed for deletes in the catalog and for proxy cache expiry." checked={draft.deleteEnabled} onChange={(deleteEnabled) => set({ deleteEnabled })} />
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={action.busy || !dirty}>{action.busy ? 'Applying…' : 'Apply'}</button>
        </div>
        <ApplyOutcome result={action.result} error={action.error} fields={['port', 'dataDir']} />
      </form>
    </Card>
  );
}
