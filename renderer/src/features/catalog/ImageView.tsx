// One manifest: digest, media type, platforms (index) or layers (image; external ones with their
// URLs), referrers, size, created, config, history, pull commands, and deleting the manifest
// (which takes every tag pointing at it).
import { useState } from 'react';
import { invoke } from '../../api/control';
import { useAction, useCall } from '../../api/hooks';
import { Card, Loading } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { CopyButton, CopyLine } from '../../components/CopyButton';
import { formatBytes } from '../../../../preload/contract/format-bytes';
import { formatDate, shortDigest } from '../../lib/format';
import { ErrorNotice } from '../../components/Notice';
import { href, navigate } from '../../lib/router';
import { ImageConfig } from './ImageConfig';

export function ImageView({ repository, reference }: { repository: string; reference: string }) {
  const image = useCall('catalog.image', { repository, reference });
  const [confirming, setConfirming] = useState(false);
  const remove = useAction(async (digest: string) => {
    await invoke('catalog.deleteManifest', { repository, digest });
    navigate({ page: 'catalog', repository });
  });

  if (!image.data) return image.error ? <ErrorNotice error={image.error} /> : <Loading what="the image" />;
  const d = image.data;
  const platform = [d.os, d.architecture].filter(Boolean).join('/');

  return (
    <>
      <Card
        title={`${repository}${reference.startsWith('sha256:') ? `@${shortDigest(reference)}` : `:${reference}`}`}
        description={d.cached ? 'Cached from the proxy upstream.' : undefined}
        actions={<button type="button" className="btn btn-danger-quiet" onClick={() => { remove.reset(); setConfirming(true); }}>Delete manifest…</button>}
      >
        <dl className="details" aria-label="Image summary">
          <dt>Digest</dt>
          <dd className="fingerprint"><code>{d.digest}</code> <CopyButton text={d.digest} /></dd>
          <dt>Media type</dt>
          <dd className="mono">{d.mediaType}</dd>
          {d.artifactType ? (<><dt>Artifact type</dt><dd className="mono">{d.artifactType}</dd></>) : null}
          <dt>Tags</dt>
          <dd>{d.tags.length ? d.tags.join(', ') : <span className="muted">none (untagged)</span>}</dd>
          <dt>Total size</dt>
          <dd data-testid="total-size">{formatBytes(d.totalSize)} <span className="muted">({d.totalSize.toLocaleString()} bytes)</span></dd>
          {d.created ? (<><dt>Created</dt><dd>{formatDate(d.created)}</dd></>) : null}
          {platform ? (<><dt>Platform</dt><dd>{platform}</dd></>) : null}
          {d.configDigest ? (<><dt>Config</dt><dd className="mono" title={d.configDigest}>{shortDigest(d.configDigest)}</dd></>) : null}
        </dl>
        <h3>Pull</h3>
        <CopyLine text={d.pullCommands.docker} />
        <CopyLine text={d.pullCommands.podman} />
        <CopyLine text={d.pullCommands.nerdctl} />
      </Card>

      {d.platforms?.length ? (
        <Card title="Platforms" description="This is a multi-platform index; each platform is its own image.">
          <table className="table platforms">
            <thead><tr><th>Platform</th><th>Digest</th><th className="num">Size</th></tr></thead>
            <tbody>
              {d.platforms.map((p) => (
                <tr key={p.digest}>
                  <td><a href={href({ page: 'catalog', repository, reference: p.digest })}>{[p.os, p.architecture, p.variant].filter(Boolean).join('/')}</a></td>
                  <td className="mono muted" title={p.digest}>{shortDigest(p.digest)}</td>
                  <td className="num">{formatBytes(p.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}

      {d.referrers.length ? (
        <Card title="Referrers" description="Artifacts that refer to this manifest (signatures, SBOMs, attestations…).">
          <table className="table referrers">
            <thead><tr><th>Artifact type</th><th>Digest</th><th className="num">Size</th></tr></thead>
            <tbody>
              {d.referrers.map((r) => (
                <tr key={r.digest}>
                  <td className="mono">{r.artifactType ?? <span className="muted">none</span>}</td>
                  <td className="mono" title={r.digest}><a href={href({ page: 'catalog', repository, reference: r.digest })}>{shortDigest(r.digest)}</a></td>
                  <td className="num">{formatBytes(r.size)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}

      {d.layers?.length ? (
        <Card title="Layers" description={`${d.layers.length} layer${d.layers.length === 1 ? '' : 's'}`}>
          <table className="table layers">
            <thead><tr><th>#</th><th>Digest</th><th>Media type</th><th className="num">Size</th><th className="bar-cell" aria-hidden="true" /></tr></thead>
            <tbody>
              {d.layers.map((l, i) => (
                <tr key={`${l.digest}-${i}`}>
                  <td>{i + 1}</td>
                  <td className="mono" title={l.digest}>
                    {shortDigest(l.digest)}
                    {l.urls ? <ExternalUrls urls={l.urls} /> : null}
                  </td>
                  <td className="mono muted">{l.mediaType.replace(/^application\/vnd\./, '')}</td>
                  <td className="num">{formatBytes(l.size)}</td>
                  <td className="bar-cell" aria-hidden="true"><meter min={0} max={d.totalSize || 1} value={l.size} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}

      {d.layers ? (
        <Card title="Configuration">
          <ImageConfig image={d} />
        </Card>
      ) : null}

      {confirming ? (
        <ConfirmDialog title="Delete this manifest?" confirmLabel="Delete manifest" busy={remove.busy} error={remove.error?.message}
          onConfirm={() => void remove.run(d.digest)} onCancel={() => setConfirming(false)}>
          <p>The manifest <code>{shortDigest(d.digest)}</code> is removed from <strong>{repository}</strong>, and with it <strong>every tag pointing at it</strong>{d.tags.length ? `: ${d.tags.join(', ')}` : ''}.</p>
          <p>To remove only one tag, delete the tag from the tag list instead.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** A non-distributable layer: not stored here, clients fetch it from these URLs (shown, not linked). */
function ExternalUrls({ urls }: { urls: string[] }) {
  return (
    <>
      <span className="badge" title="Non-distributable layer: its blob is not in this registry">external</span>
      <ul className="layer-urls muted" aria-label="Layer URLs">
        {urls.map((u) => <li key={u}><code>{u}</code></li>)}
      </ul>
    </>
  );
}
