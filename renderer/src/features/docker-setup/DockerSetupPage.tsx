// The Docker setup wizard: choose the Docker, choose the entries, review the diff of daemon.json,
// then apply with reload / restart / later. Never writes before the user has seen the diff.
import { useEffect, useState } from 'react';
import type { DaemonChange, RegistryOverview } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction, useCall, useDebounced } from '../../api/hooks';
import { Card, Loading } from '../../components/Card';
import { CodeBlock } from '../../components/CodeBlock';
import { ErrorNotice, Notice } from '../../components/Notice';
import { TrustPanel } from '../certs/TrustPanel';
import { ApplyButtons, ApplyOutcome } from './ApplyStep';
import { DiffView } from './DiffView';
import { EntriesStep, type Entries, type MirrorProxy } from './EntriesStep';
import { SnippetsCard } from './SnippetsCard';
import { TargetStep } from './TargetStep';
import { checkInsecureEntry, checkMirrorUrl } from './validation';

// registry-mirrors only helps when Berth is a pull-through cache (proxy mode): only then is the
// mirror entry on and filled in; otherwise EntriesStep says why it is left out.
function initialEntries(overview: RegistryOverview, proxy: MirrorProxy): Entries {
  const address = overview.addresses.find((a) => a.source !== 'loopback') ?? overview.addresses[0];
  const tls = overview.status.status === 'running' && overview.status.tls;
  return { useInsecure: !tls, insecure: address?.hostPort ?? '', useMirror: proxy.enabled, mirror: proxy.enabled ? address?.url ?? '' : '', remove: false };
}

export function DockerSetupPage() {
  const targets = useCall('docker.detect', {});
  const overview = useCall('registry.overview', {});
  const settings = useCall('settings.get', {});
  const proxy: MirrorProxy | undefined = settings.data?.proxy;
  const [target, setTarget] = useState<string>();
  const [entries, setEntries] = useState<Entries>();
  const [errors, setErrors] = useState<{ insecure?: string; mirror?: string; none?: string }>({});
  const preview = useAction((change: DaemonChange) => invoke('docker.preview', change));
  const apply = useAction((change: DaemonChange, then: 'reload' | 'restart' | 'later') => invoke('docker.apply', { ...change, then }));

  useEffect(() => {
    if (!target && targets.data?.length) setTarget((targets.data.find((t) => t.running) ?? targets.data[0])!.path);
  }, [targets.data, target]);
  useEffect(() => {
    if (!entries && overview.data && proxy) setEntries(initialEntries(overview.data, proxy));
  }, [overview.data, proxy, entries]);

  const tls = overview.data?.status.status === 'running' && overview.data.status.tls;
  const typedHost = useDebounced(entries?.insecure.trim() ?? '', 400);
  const snippetHost = checkInsecureEntry(typedHost) ? '' : typedHost;
  const change = (): DaemonChange | undefined => {
    if (!target || !entries) return undefined;
    const found = {
      insecure: entries.useInsecure ? checkInsecureEntry(entries.insecure) : undefined,
      mirror: entries.useMirror ? checkMirrorUrl(entries.mirror) : undefined,
      none: !entries.useInsecure && !entries.useMirror ? 'Choose at least one entry.' : undefined,
    };
    setErrors(found);
    if (found.insecure || found.mirror || found.none) return undefined;
    return {
      target,
      ...(entries.useInsecure ? { insecureRegistry: entries.insecure.trim() } : {}),
      ...(entries.useMirror ? { mirror: entries.mirror.trim().replace(/\/$/, '') } : {}),
      ...(entries.remove ? { remove: true } : {}),
    };
  };
  const edit = (next: () => void) => {
    next();
    preview.reset();
    apply.reset();
  };
  const reviewed = preview.result && !preview.result.unchanged ? preview.result : undefined;

  return (
    <div className="page">
      <h1>Docker setup</h1>
      <p className="lead">Let the Docker on this machine use Berth: add it to <code>insecure-registries</code> and/or <code>registry-mirrors</code> in daemon.json. Every other setting in the file is kept; a backup is made first.</p>

      <Card title="1. Docker">
        {targets.data ? <TargetStep targets={targets.data} selected={target} onSelect={(p) => edit(() => setTarget(p))} /> : targets.error ? <ErrorNotice error={targets.error} /> : <Loading what="Docker installations" />}
      </Card>

      <Card title="2. Entries">
        {entries && proxy ? <EntriesStep entries={entries} tls={!!tls} proxy={proxy} errors={errors} onChange={(e) => edit(() => setEntries(e))} /> : overview.error ?? settings.error ? <ErrorNotice error={overview.error ?? settings.error} /> : <Loading what="the registry’s addresses" />}
      </Card>

      <Card title="3. Review the change">
        <div className="form-actions">
          <button type="button" className="btn btn-primary" disabled={!target || !entries || preview.busy} onClick={() => { const c = change(); if (c) { apply.reset(); void preview.run(c); } }}>
            {preview.busy ? 'Preparing…' : 'Preview changes'}
          </button>
        </div>
        <ErrorNotice error={preview.error} />
        {preview.result ? (
          preview.result.unchanged ? (
            <Notice kind="success">{preview.result.path} already has these entries; nothing to change.</Notice>
          ) : (
            <>
              {preview.result.warnings?.map((w) => <Notice key={w} kind="warning">{w}</Notice>)}
              <p>Changes to <code>{preview.result.path}</code>:</p>
              <DiffView diff={preview.result.diff} />
              <details>
                <summary>Current file</summary>
                <CodeBlock label="Current daemon.json">{preview.result.current || '(the file does not exist yet)'}</CodeBlock>
              </details>
            </>
          )
        ) : null}
      </Card>

      {reviewed ? (
        <Card title="4. Apply" description="Reload applies both keys without stopping containers (SIGHUP). A restart stops running containers unless live-restore is on.">
          <ApplyButtons busy={apply.busy} onApply={(then) => { const c = change(); if (c) void apply.run(c, then); }} />
          {apply.busy ? <p className="muted" role="status">Applying… an administrator password prompt may appear.</p> : null}
          <ApplyOutcome result={apply.result} error={apply.error} />
        </Card>
      ) : null}

      {tls && overview.data ? (
        <Card title="Trust Berth’s CA" description="With TLS on, Docker needs Berth’s CA in certs.d instead of an insecure-registries entry.">
          <TrustPanel addresses={overview.data.addresses} />
        </Card>
      ) : null}

      <SnippetsCard hostPort={snippetHost} tls={!!tls} />
    </div>
  );
}
