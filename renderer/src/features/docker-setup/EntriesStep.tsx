// Step 2: what to add — an insecure-registries entry (host:port) and/or a registry-mirrors
// entry (URL), prefilled from the addresses the registry serves on. Docker sends only Docker Hub
// pulls to a mirror, so the mirror entry is prefilled only in proxy mode and explained otherwise.
import { Field } from '../../components/Field';
import { Toggle } from '../../components/Toggle';
import { href } from '../../lib/router';

/** What the mirror entry depends on: proxy mode, and the upstream it caches. */
export interface MirrorProxy {
  enabled: boolean;
  remoteUrl: string;
}

function isDockerHub(url: string): boolean {
  try {
    return /(^|\.)docker\.io$/.test(new URL(url).hostname);
  } catch {
    return false;
  }
}

function MirrorNote({ proxy }: { proxy: MirrorProxy }) {
  if (!proxy.enabled) {
    return (
      <p className="field-hint" data-testid="mirror-note">
        Docker’s <code>registry-mirrors</code> only makes sense for a pull-through cache of Docker Hub, and Berth is not one: proxy mode is off.
        To use Berth as a mirror, turn on proxy mode on the <a href={href({ page: 'registry' })}>Registry page</a> first.
      </p>
    );
  }
  if (!isDockerHub(proxy.remoteUrl)) {
    return (
      <p className="field-hint" data-testid="mirror-note">
        Proxy mode caches {proxy.remoteUrl}, not Docker Hub: Docker sends only Docker Hub pulls to a mirror.
      </p>
    );
  }
  return null;
}

export interface Entries {
  useInsecure: boolean;
  insecure: string;
  useMirror: boolean;
  mirror: string;
  remove: boolean;
}

export function EntriesStep({ entries, onChange, errors, tls, proxy }: { entries: Entries; onChange(e: Entries): void; errors: { insecure?: string; mirror?: string; none?: string }; tls: boolean; proxy: MirrorProxy }) {
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
      <MirrorNote proxy={proxy} />
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
