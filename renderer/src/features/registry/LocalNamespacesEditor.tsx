// The list of local namespaces in proxy mode (berth.proxy.localnamespaces): repository-name
// prefixes pushed and served by this registry and never asked upstream. Entries are checked with
// the registry's own name grammar as they are added; the core checks again on Apply (it also
// refuses an entry that overlaps an upstream prefix) and its message lands under the same field.
import { useState } from 'react';
import { repositoryNameProblem } from '../../../../preload/contract/repository-name';
import { Field } from '../../components/Field';

interface Props {
  /** The setting's label and help, from its row in the setting table. */
  label: string;
  help: string;
  value: string[];
  onChange: (next: string[]) => void;
  serverError: string | undefined;
}

export function LocalNamespacesEditor({ label, help, value, onChange, serverError }: Props) {
  const [entry, setEntry] = useState('');
  const [problem, setProblem] = useState<string | undefined>();

  const add = () => {
    const name = entry.trim().replace(/\/+$/, '');
    const found = repositoryNameProblem(name) ?? (value.includes(name) ? `${name} is already listed.` : undefined);
    setProblem(found);
    if (found) return;
    onChange([...value, name]);
    setEntry('');
  };

  return (
    <div className="local-namespaces">
      <div className="field-row field-row-end">
        <Field label={label} hint={help} error={problem ?? serverError}>
          <input
            value={entry}
            placeholder="team"
            spellCheck={false}
            onChange={(e) => { setEntry(e.target.value); setProblem(undefined); }}
            // Enter adds the entry here instead of submitting the whole form.
            onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); add(); } }}
          />
        </Field>
        <button type="button" className="btn" onClick={add}>Add namespace</button>
      </div>
      {value.length > 0 ? (
        <ul className="chips" aria-label={`${label} list`}>
          {value.map((ns) => (
            <li key={ns} className="chip">
              <code>{ns}</code>
              <button type="button" className="btn btn-small btn-danger-quiet" aria-label={`Remove ${ns}`} onClick={() => onChange(value.filter((v) => v !== ns))}>×</button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="field-hint">None yet: the proxy accepts no pushes until a namespace is listed.</p>
      )}
    </div>
  );
}
