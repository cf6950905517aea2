// Garbage collection: a dry run first (what it would free), then the real run.
import { useState } from 'react';
import type { GcReport } from '../../../../preload/contract';
import { invoke } from '../../api/control';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { formatBytes } from '../../../../preload/contract/format-bytes';
import { plural } from '../../lib/format';
import { ErrorNotice, Notice } from '../../components/Notice';
import { Toggle } from '../../components/Toggle';

function describe(r: GcReport): string {
  const what = `${plural(r.blobsDeleted, 'blob')} and ${plural(r.manifestsDeleted, 'manifest')}`;
  return r.dryRun
    ? `A run would delete ${what} and free ${formatBytes(r.bytesFreed)} (${plural(r.blobsMarked, 'blob')} in use).`
    : `Deleted ${what}, freeing ${formatBytes(r.bytesFreed)} in ${(r.durationMs / 1000).toFixed(1)} s.`;
}

export function GcPanel({ onCollected }: { onCollected(): void }) {
  const [deleteUntagged, setDeleteUntagged] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const gc = useAction(async (dryRun: boolean) => {
    const report = await invoke('catalog.gc', { dryRun, deleteUntagged });
    if (!dryRun) {
      setConfirming(false);
      onCollected();
    }
    return report;
  });
  const dry = gc.result?.dryRun ? gc.result : undefined;

  return (
    <Card title="Garbage collection" description="Deleting tags and manifests leaves their layers on disk until a garbage collection removes the unreferenced ones.">
      <Toggle label="Also delete untagged manifests" checked={deleteUntagged} onChange={(v) => { setDeleteUntagged(v); gc.reset(); }} />
      <div className="form-actions">
        <button type="button" className="btn" disabled={gc.busy} onClick={() => void gc.run(true)}>Dry run</button>
        <button type="button" className="btn btn-primary" disabled={gc.busy || !dry} title={dry ? undefined : 'Do a dry run first'} onClick={() => setConfirming(true)}>Collect garbage…</button>
      </div>
      {gc.result ? <Notice kind={gc.result.dryRun ? 'info' : 'success'}>{describe(gc.result)}</Notice> : null}
      {!confirming ? <ErrorNotice error={gc.error} /> : null}
      {confirming && dry ? (
        <ConfirmDialog title="Collect garbage?" confirmLabel="Delete unreferenced data" busy={gc.busy} error={gc.error?.message}
          onConfirm={() => void gc.run(false)} onCancel={() => setConfirming(false)}>
          <p>{describe(dry)}</p>
          <p>Pushes running during the collection may fail and need a retry.</p>
        </ConfirmDialog>
      ) : null}
    </Card>
  );
}
