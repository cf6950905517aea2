// Step 2: what to add — an insecure-registries entry (host:port) and/or a registry-mirrors
// entry (URL), prefilled from the addresses the registry serves on.
import { Field } from '../../components/Field';
import { Toggle } from '../../components/Toggle';

export interface Entries {
  useInsecure: boolean;
  insecure: string;
  useMirror: boolean;
  mirror: string;
  remove: boolean;
}

export function EntriesStep({ entries, onChange, errors, tls }: { entries: Entries; onChange(e: Entries): void; errors: { insecure?: string; mirror?: string; none?: string }; tls: boolean }) {
  const set = (patch: Partial<Entries>) => onChange({ ...entries, ...patch });
  return (
    <div className="form">
      <Toggle label="Add as an insecure registry" checked={entries.useInsecure} onChange={(useInsecure) => set({ useInsecure })}
        description={tls ? 'Not needed with TLS once Docker trusts Berth’s CA (below).' : 'Lets Docker push and pull over plain HTTP. Loopback addresses are always allowed.'} />
      {entries.useInsecure ? (
        <Field label="Insecure registry (host:port)" hint="Without scheme, exactly as you write it in image names." error={errors.insecure}>
          <input value={entries.insecure} onChange={(e) => set({ insecure: e.target.value })} spellCheck={false} />
        </Field>
      ) : null}
      <Toggle label="Use as a registry mirror" checked={entries.useMirror} onChange={(useMirror) => set({ useMirror })}
        description="Docker sends Docker Hub pulls here first. Useful with proxy mode pointed at Docker Hub." />
      {entries.useMirror ? (
        <Field label="Mirror URL" hint="With scheme, e.g. http://192.168.1.20:5000." error={errors.mirror}>
          <input value={entries.mirror} onChange={(e) => set({ mirror: e.target.value })} spellCheck={false} />
        </Field>
      ) : null}
      <Toggle label="Remove these entries instead of adding them" checked={entries.remove} onChange={(remove) => set({ remove })} />
      {errors.none ? <p className="field-error" role="alert">{errors.none}</p> : null}
    </div>
  );
}
