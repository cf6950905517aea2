// "Import archive": a file chosen with the button or dropped on the card is uploaded in chunks
// and imported like `berth import` (docker save, OCI layout, Berth export); a progress bar while
// it travels, then what was stored.
import { useRef, useState, type DragEvent } from 'react';
import { useAction } from '../../api/hooks';
import { Card } from '../../components/Card';
import { ErrorNotice, Notice } from '../../components/Notice';
import { formatBytes } from '../../../../preload/contract/format-bytes';
import { plural } from '../../lib/format';
import { uploadArchive } from './archive-transfer';

export function ArchiveImport({ onImported }: { onImported(): void }) {
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const [over, setOver] = useState(false);
  const upload = useAction(async (file: File) => {
    setProgress({ done: 0, total: file.size });
    try {
      const summary = await uploadArchive(file, (done, total) => setProgress({ done, total }));
      onImported();
      return summary;
    } finally {
      setProgress(undefined);
    }
  });
  const start = (file: File | undefined) => {
    if (file && !upload.busy) void upload.run(file);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    start(e.dataTransfer.files[0]);
  };
  const s = upload.result;

  return (
    <Card title="Import archive" description="A docker save archive, an OCI image layout (tar) or a Berth export. Every blob is checked before anything is stored.">
      <div className={`drop-zone${over ? ' drop-zone-over' : ''}`} onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        <input ref={input} id="archive-file" type="file" accept=".tar,.tar.gz,.tgz,application/x-tar" className="visually-hidden" aria-label="Archive file"
          onChange={(e) => { start(e.target.files?.[0]); e.target.value = ''; }} />
        <button type="button" className="btn" disabled={upload.busy} onClick={() => input.current?.click()}>Choose an archive…</button>
        <span className="muted"> or drop it here</span>
      </div>
      {progress ? (
        <p>
          <label htmlFor="archive-upload-progress">Uploading {formatBytes(progress.done)} of {formatBytes(progress.total)}</label>{' '}
          <progress id="archive-upload-progress" max={progress.total} value={progress.done} />
        </p>
      ) : upload.busy ? <p className="muted">Importing…</p> : null}
      <ErrorNotice error={upload.error} />
      {s ? (
        <Notice kind="success">
          <p>Imported {plural(s.images.length, 'image')}: stored {plural(s.blobsStored, 'blob')} ({formatBytes(s.bytes)}), {s.blobsSkipped} already here.</p>
          <ul className="import-summary">
            {s.images.map((i) => <li key={`${i.name}:${i.tag ?? i.digest}`} className="mono">{i.tag ? `${i.name}:${i.tag}` : `${i.name}@${i.digest}`}</li>)}
          </ul>
        </Notice>
      ) : null}
    </Card>
  );
}
