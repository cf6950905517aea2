// Import a distribution config.yml (pasted or picked), or export the one Berth runs with.
import { useState } from 'react';
import type { ApplyResult } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { downloadText, readPickedFile } from '../../lib/download';
import { Field } from '../../components/Field';
import { ErrorNotice, Notice } from '../../components/Notice';

export function ImportConfigCard({ applied }: { applied(result: ApplyResult): ApplyResult }) {
  const [yaml, setYaml] = useState('');
  const [check, setCheck] = useState<string>();
  const importing = useAction(async (text: string) => applied(await invoke('settings.importConfig', { yaml: text })));
  const exporting = useAction(async () => downloadText('config.yml', (await invoke('settings.exportConfig', {})).yaml, 'application/yaml'));

  const submit = () => {
    const problem = yaml.trim() ? undefined : 'Paste a config.yml or pick a file first.';
    setCheck(problem);
    if (!problem) void importing.run(yaml);
  };

  return (
    <Card
      title="Registry configuration"
      description="Berth runs from a distribution config.yml, so the same file works with registry:3. Import one, or export the current settings."
      actions={<button type="button" className="btn" onClick={() => void exporting.run()} disabled={exporting.busy}>Export config.yml</button>}
    >
      <form className="form" onSubmit={(e) => { e.preventDefault(); submit(); }}>
        <Field label="config.yml" hint="It is validated before anything changes." error={check ?? (importing.error?.field ? importing.error.message : undefined)}>
          <textarea rows={6} value={yaml} onChange={(e) => setYaml(e.target.value)} spellCheck={false} className="mono" placeholder={'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry'} />
        </Field>
        <div className="form-actions">
          <label className="btn file-button">
            Choose file…
            <input type="file" accept=".yml,.yaml,text/yaml" onChange={(e) => void readPickedFile(e.target).then((text) => text !== undefined && setYaml(text))} />
          </label>
          <button type="submit" className="btn btn-primary" disabled={importing.busy}>{importing.busy ? 'Importing…' : 'Import'}</button>
        </div>
        {importing.result ? <Notice kind="success">{importing.result.message}</Notice> : null}
        {importing.error && !importing.error.field ? <ErrorNotice error={importing.error} /> : null}
        <ErrorNotice error={exporting.error} />
      </form>
    </Card>
  );
}
