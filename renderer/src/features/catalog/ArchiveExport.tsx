// "Export": the chosen tags written by the core into one archive (as `berth export`), fetched in
// chunks with a progress bar and saved as a download (`docker load -i` and OCI tools read it).
import { useState } from 'react';
import { useAction } from '../../api/hooks';
import { ErrorNotice, Notice } from '../../components/Notice';
import { formatBytes } from '../../../../preload/contract/format-bytes';
import { plural } from '../../lib/format';
import { downloadBlob } from '../../lib/download';
import { downloadArchive } from './archive-transfer';

export function ArchiveExport({ refs, fileName }: { refs: string[]; fileName: string }) {
  const [progress, setProgress] = useState<{ done: number; total: number }>();
  const exp = useAction(async () => {
    try {
      const { blob, archive } = await downloadArchive(refs, (done, total) => setProgress({ done, total }));
      downloadBlob(fileName, blob);
      return archive;
    } finally {
      setProgress(undefined);
    }
  });
  return (
    <div className="archive-export">
      <button type="button" className="btn" disabled={refs.length === 0 || exp.busy} onClick={() => void exp.run()}>
        Export{refs.length > 0 ? ` ${plural(refs.length, 'tag')}` : ''}
      </button>
      {progress ? (
        <>
          {' '}<label htmlFor="archive-export-progress">Downloading {formatBytes(progress.done)} of {formatBytes(progress.total)}</label>{' '}
          <progress id="archive-export-progress" max={progress.total} value={progress.done} />
        </>
      ) : exp.busy ? <span className="muted"> Writing the archive…</span> : null}
      <ErrorNotice error={exp.error} />
      {exp.result ? <Notice kind="success">Exported {plural(exp.result.images.length, 'image')} ({formatBytes(exp.result.bytes)}) to {fileName}.</Notice> : null}
    </div>
  );
}
