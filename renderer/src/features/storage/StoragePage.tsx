// Storage: where the space goes (storage.usage), largest repository first, and the garbage
// collection that frees what nothing uses any more, offered right under the numbers it changes.
import { useState } from 'react';
import { formatBytes } from '../../../../preload/contract/format-bytes';
import { useCall } from '../../api/hooks';
import { useRegistryStatus } from '../../api/status';
import { Card, Loading } from '../../components/Card';
import { ErrorNotice } from '../../components/Notice';
import { GcPanel } from '../catalog/GcPanel';
import { RepositorySizes } from './RepositorySizes';

export function StoragePage() {
  const { revision, update } = useRegistryStatus();
  const [collected, setCollected] = useState(0);
  const usage = useCall('storage.usage', {}, { refreshKey: `${revision}:${collected}` });
  const u = usage.data;

  return (
    <div className="page">
      <h1>Storage</h1>
      <p className="lead">How much space the images take, per repository, and what a garbage collection would give back.</p>
      <Card title="Space" description={u?.disk ? <>Storage root <span className="mono">{u.disk.path}</span></> : undefined}
        actions={<button type="button" className="btn btn-small" disabled={usage.loading} onClick={usage.reload}>Refresh</button>}>
        <ErrorNotice error={usage.error} />
        {!u ? (usage.error ? null : <Loading what="storage use" />) : (
          <dl className="stats" aria-label="Storage totals">
            <div className="stat"><dt>Stored</dt><dd data-testid="stored-bytes">{formatBytes(u.totals.blobBytes)}</dd></div>
            <div className="stat"><dt>Unreferenced</dt><dd data-testid="unreferenced-bytes" title="Blobs no repository links: a garbage collection removes them">{formatBytes(u.totals.unreferencedBytes)}</dd></div>
            <div className="stat"><dt>Free on disk</dt><dd>{u.disk ? formatBytes(u.disk.freeBytes) : '—'}</dd></div>
            <div className="stat"><dt>Disk size</dt><dd>{u.disk ? formatBytes(u.disk.totalBytes) : 'in memory'}</dd></div>
          </dl>
        )}
      </Card>
      {u ? <RepositorySizes usage={u} /> : null}
      <GcPanel onCollected={() => { update(); setCollected((n) => n + 1); }} />
    </div>
  );
}
